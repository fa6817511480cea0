//! `kcheck table`.

use crate::cli::TableArgs;

pub fn run(args: &TableArgs) -> Result<u8, String> {
    let _ = args;
    Err("not built yet".to_string())
}
