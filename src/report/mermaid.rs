//! Counterexamples as Mermaid sequence diagrams (<https://mermaid.js.org/syntax/sequenceDiagram.html>),
//! drawn like a failure timeline on a whiteboard: one lifeline per participant, requests as solid
//! arrows and responses as dashed ones, faults and outcomes as notes, and why the property
//! fails as the last note.
//!
//! One diagram per violated property; on stdout they follow one another, separated by an empty
//! line (each starts with `sequenceDiagram`, to be pasted into its own Mermaid block). Nothing is
//! printed when no property is violated. The model says what each step draws
//! ([`System::events`](crate::systems::System::events)); this module only lays it out.

use std::fmt::Write;

use super::{PropertyResult, Report};
use crate::systems::Event;

/// The diagrams of the violated properties, separated by empty lines.
pub fn render(report: &Report) -> String {
    report
        .violated()
        .map(|r| render_property(report, r))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One property's diagram.
pub fn render_property(report: &Report, r: &PropertyResult) -> String {
    let members = &report.participants;
    // Participants outside the model (a client) stand on the left, where requests come from.
    let mut outside: Vec<&str> = Vec::new();
    for event in r.trace.iter().flat_map(|s| &s.events) {
        if let Event::Message { from, to, .. } = event {
            for who in [from, to] {
                if !members.contains(who) && !outside.contains(&who.as_str()) {
                    outside.push(who);
                }
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "sequenceDiagram");
    let _ = writeln!(
        out,
        "    %% kcheck: {} is {} ({}: {})",
        r.property,
        r.verdict.label().to_uppercase(),
        r.kind,
        r.meaning
    );
    let _ = writeln!(out, "    %% scenario: {}", report.scenario_text);
    let _ = writeln!(out, "    %% bounds: {}", report.bounds);
    // A title is one line that Mermaid clips to the diagram's width: the verdict alone; the
    // meaning is in the comment above.
    let _ = writeln!(
        out,
        "    title {}",
        text(&format!(
            "{} is {}",
            r.property,
            r.verdict.label().to_uppercase()
        ))
    );
    for who in outside
        .iter()
        .copied()
        .chain(members.iter().map(String::as_str))
    {
        let _ = writeln!(out, "    participant {who}");
    }
    let all = match (members.first(), members.last()) {
        (Some(first), Some(last)) if first != last => format!("{first},{last}"),
        (Some(first), _) => first.clone(),
        _ => outside.first().map(|s| s.to_string()).unwrap_or_default(),
    };
    let note = |out: &mut String, over: &[String], what: &str| {
        let over = if over.is_empty() {
            all.clone()
        } else {
            over.join(",")
        };
        if !over.is_empty() {
            let _ = writeln!(
                out,
                "    Note over {over}: {}",
                text(&wrap(what, NOTE_WIDTH))
            );
        }
    };
    if let Some(first) = r.trace.first() {
        let lines: Vec<&str> = first.summary.split("; ").collect();
        note(
            &mut out,
            &[],
            &format!("initial state<br/>{}", lines.join("<br/>")),
        );
    }
    for step in r.trace.iter().skip(1) {
        for event in &step.events {
            match event {
                Event::Message {
                    from,
                    to,
                    text: what,
                    reply,
                } => {
                    let arrow = if *reply { "-->>" } else { "->>" };
                    let _ = writeln!(out, "    {from}{arrow}{to}: {}", text(what));
                }
                Event::Note { over, text: what } => note(&mut out, over, what),
            }
        }
    }
    let why = r.why.as_deref().unwrap_or(r.meaning);
    let why: Vec<&str> = why.split("; ").collect();
    note(&mut out, &[], &format!("why: {}", why.join("<br/>")));
    out
}

/// Characters per line of a note: Mermaid sizes a note to its longest line, and a long line
/// spills out of the diagram.
const NOTE_WIDTH: usize = 60;

/// Breaks each line of `s` (lines end at `<br/>`) before the word that would take it past
/// `width` characters; a word longer than that keeps a line of its own.
fn wrap(s: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in s.split("<br/>") {
        let mut current = String::new();
        for word in line.split(' ') {
            if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        lines.push(current);
    }
    lines.join("<br/>")
}

/// Text for a message, note or title. Mermaid ends a statement at `;` and a line break and reads
/// `#...;` as an entity code, so those are written as entity codes themselves.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '\n' => out.push_str("<br/>"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{text, wrap};

    #[test]
    fn long_notes_wrap_at_word_boundaries() {
        let why = "{m1} cannot gather a quorum (has 1 vote, needs 2); {m2} cannot gather a quorum";
        let wrapped = wrap(why, 30);
        assert_eq!(
            wrapped,
            "{m1} cannot gather a quorum<br/>(has 1 vote, needs 2); {m2}<br/>cannot gather a quorum"
        );
        assert!(wrapped.split("<br/>").all(|l| l.chars().count() <= 30));
        // Existing breaks stay; short lines and long words are left whole.
        assert_eq!(wrap("a b<br/>c", 60), "a b<br/>c");
        assert_eq!(wrap("short x", 3), "short<br/>x");
    }

    #[test]
    fn statement_ends_and_entity_starts_are_escaped() {
        assert_eq!(text("a; b #1\nc"), "a#59; b #35;1<br/>c");
        assert_eq!(
            text("m1 log [t1 t2:w1] commit 2"),
            "m1 log [t1 t2:w1] commit 2"
        );
    }
}
