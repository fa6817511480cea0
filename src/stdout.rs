//! Standard output that a reader closing the pipe early (`kcheck verify | head`) does not turn
//! into a panic: kcheck stops writing quietly, as other Unix tools do, and still exits with the
//! code of what it checked.

use std::io::{ErrorKind, Write};

/// Writes `text` to stdout. A closed pipe is not an error; anything else (a full disk) is.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        done => done,
    }
}

/// [`print`], with its error in one line.
pub fn print_or_say(text: &str) -> Result<(), String> {
    print(text).map_err(|e| format!("cannot write to standard output: {e}"))
}
