//! `kcheck gate`.

use crate::cli::GateArgs;

pub fn run(args: &GateArgs) -> Result<u8, String> {
    let _ = args;
    Err("not built yet".to_string())
}
