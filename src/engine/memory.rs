//! The memory limit of a run: a search stops INCOMPLETE before the operating system would kill
//! the process for want of memory.
//!
//! The limit is process-wide, like Ctrl-C: `--max-memory`, or by default nine tenths of the
//! memory the machine has available when the run starts (Linux: `MemAvailable` in
//! `/proc/meminfo`). Searches compare it with the process's resident memory (`VmRSS` in
//! `/proc/self/status`), which counts everything: states, index, parents, edges. Where `/proc`
//! is not there, no default limit applies and a given one cannot be checked.

use std::sync::atomic::{AtomicU64, Ordering};

static MAX_MEMORY: AtomicU64 = AtomicU64::new(0);

/// The share of the available memory a run may use by default, in tenths.
const DEFAULT_TENTHS: u64 = 9;

/// Sets the run's memory limit in bytes (`None`: none).
pub fn set_max_memory(bytes: Option<u64>) {
    MAX_MEMORY.store(bytes.unwrap_or(0), Ordering::Relaxed);
}

/// The run's memory limit in bytes, if it has one.
pub fn max_memory() -> Option<u64> {
    Some(MAX_MEMORY.load(Ordering::Relaxed)).filter(|&b| b > 0)
}

/// The default limit: nine tenths of the memory available now, if the machine says.
pub fn default_max_memory() -> Option<u64> {
    kib_field("/proc/meminfo", "MemAvailable:").map(|b| b / 10 * DEFAULT_TENTHS)
}

/// The process's resident memory in bytes, if the machine says.
pub fn resident() -> Option<u64> {
    kib_field("/proc/self/status", "VmRSS:")
}

/// The most resident memory the process has held at once, in bytes, if the machine says.
pub fn peak() -> Option<u64> {
    kib_field("/proc/self/status", "VmHWM:")
}

/// The limit, when the process has gone past it.
pub fn exceeded() -> Option<u64> {
    let limit = max_memory()?;
    resident().filter(|&r| r > limit).map(|_| limit)
}

/// A `Name:   1234 kB` line of a `/proc` file, in bytes.
fn kib_field(path: &str, name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line[name.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kib.checked_mul(1024)
}

/// A size as `--max-memory` reads it: `4G`, `512M`, `1.5GiB`, `800MB`, `2T` (binary units: a
/// G is 2^30 bytes), or a number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let bad = || format!("{t:?} is not a size: write a number with a unit, e.g. 4G or 512M");
    let upper = t.to_ascii_uppercase();
    let number = upper
        .trim_end_matches("IB")
        .trim_end_matches('B')
        .trim_end();
    let (digits, scale) = match number.chars().last() {
        Some('K') => (&number[..number.len() - 1], 1u64 << 10),
        Some('M') => (&number[..number.len() - 1], 1 << 20),
        Some('G') => (&number[..number.len() - 1], 1 << 30),
        Some('T') => (&number[..number.len() - 1], 1 << 40),
        Some(c) if c.is_ascii_digit() => (number, 1),
        _ => return Err(bad()),
    };
    let value: f64 = digits.trim().parse().map_err(|_| bad())?;
    let bytes = value * scale as f64;
    if !bytes.is_finite() || bytes < 0.0 || bytes >= u64::MAX as f64 {
        return Err(bad());
    }
    let bytes = bytes as u64;
    if bytes < MIN_MAX_MEMORY {
        return Err(format!(
            "{t:?} is too little memory for a check: at least {}",
            show_size(MIN_MAX_MEMORY)
        ));
    }
    Ok(bytes)
}

/// The smallest memory limit accepted.
pub const MIN_MAX_MEMORY: u64 = 16 << 20;

/// A size in words: `3.5 GiB`, `512 MiB`.
pub fn show_size(bytes: u64) -> String {
    let (value, unit) = if bytes >= 1 << 30 {
        (bytes as f64 / (1u64 << 30) as f64, "GiB")
    } else {
        (bytes as f64 / (1u64 << 20) as f64, "MiB")
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.trim_end_matches(".0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_written() {
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("800mb"), Ok(800 << 20));
        assert_eq!(parse_size("33554432"), Ok(32 << 20));
        assert!(parse_size("banana").unwrap_err().contains("not a size"));
        assert!(parse_size("4X").unwrap_err().contains("not a size"));
        assert!(parse_size("1M").unwrap_err().contains("at least 16 MiB"));
        assert_eq!(show_size(3 << 29), "1.5 GiB");
        assert_eq!(show_size(512 << 20), "512 MiB");
    }

    #[test]
    fn the_machine_reports_its_memory() {
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(resident().is_some_and(|r| r > 0));
            assert!(default_max_memory().is_some_and(|m| m > MIN_MAX_MEMORY));
        }
    }
}
