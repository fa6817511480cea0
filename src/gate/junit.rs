//! Gate results as JUnit XML, the format CI systems (GitHub Actions reporters, GitLab, Jenkins)
//! show test results from: one `<testsuite>` per gate file, one `<testcase>` per row, and a
//! `<failure>` for each row whose verdict is not the expected one (INCOMPLETE included).

use std::fmt::Write as _;

use super::{GateFile, RowOutcome};
use crate::property::Outcome;

/// The whole JUnit document.
pub fn render(files: &[GateFile], outcomes: &[Vec<RowOutcome>]) -> String {
    let all = || outcomes.iter().flatten();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"kcheck gate\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3}\">",
        all().count(),
        all().filter(|o| !o.pass).count(),
        all().map(|o| o.seconds).sum::<f64>()
    );
    for (f, outs) in files.iter().zip(outcomes) {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3}\">",
            escape(&f.path),
            outs.len(),
            outs.iter().filter(|o| !o.pass).count(),
            outs.iter().map(|o| o.seconds).sum::<f64>()
        );
        for (row, o) in f.rows.iter().zip(outs) {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
                escape(&format!(
                    "{} on {} (line {})",
                    row.property, row.scenario_name, row.line
                )),
                escape(&f.path),
                o.seconds
            );
            if o.pass {
                out.push_str("/>\n");
                continue;
            }
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                escape(&format!(
                    "expected {}, got {}",
                    row.expect.outcome().label(),
                    o.got
                )),
                if o.got == Outcome::Incomplete {
                    "incomplete"
                } else {
                    "mismatch"
                },
                escape(&format!(
                    "{}:{}: {} on {}: expected {}, got {}\n{}",
                    f.path,
                    row.line,
                    row.property,
                    row.scenario_name,
                    row.expect.outcome().label(),
                    o.got,
                    o.detail.as_deref().unwrap_or("")
                ))
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Text safe inside an XML attribute or element. Characters XML 1.0 cannot carry at all
/// (control characters other than tab and line breaks) become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_unencodable_characters_are_escaped() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{FFFD}"
        );
    }
}
