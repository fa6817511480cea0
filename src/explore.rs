//! `kcheck explore`.

use crate::cli::ExploreArgs;

pub fn run(args: &ExploreArgs) -> Result<u8, String> {
    let _ = args;
    Err("not built yet".to_string())
}
