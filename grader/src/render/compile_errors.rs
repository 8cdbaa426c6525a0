//! Compiler errors drawn at a width: the report keeps rustc's text as it rendered it
//! (`evidence.compile_errors`), and this draws it for a terminal of any width.
//!
//! rustc's lines are of two kinds. Prose (`error[E0277]: …`, `note: …`, `= help: …`)
//! is wrapped at spaces, its further lines indented under the text after the label,
//! never breaking a word. Code — the source snippet with its gutter (`51 |  …`), the
//! markers under it, suggested lines (`1 + use …;`), the `--> src/lib.rs:51:27`
//! place — is never broken: a line of it too long for the width is cut, with an
//! ellipsis, so the columns its markers point at stay where they were.

/// `errors` drawn `indent` columns in, within `width` columns, a blank line between
/// two errors. No trailing newline.
pub fn draw(errors: &[String], indent: usize, width: usize) -> String {
    let room = width.saturating_sub(indent).max(MIN_ROOM);
    let pad = " ".repeat(indent);
    errors
        .iter()
        .map(|error| {
            error
                .lines()
                .flat_map(|line| draw_line(line, room))
                .map(|line| {
                    if line.is_empty() {
                        line
                    } else {
                        format!("{pad}{line}")
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The fewest columns drawn to, however narrow the terminal: below it nothing reads.
const MIN_ROOM: usize = 20;

/// One line of rustc's as one or more lines within `room` columns.
fn draw_line(line: &str, room: usize) -> Vec<String> {
    match prose_label(line) {
        Some(label) => wrap(line, label, room),
        None => vec![cut(line, room)],
    }
}

/// Where a prose line's text starts after its label (`error[E0277]: `, `  = help: `),
/// or `None` for a line of code.
fn prose_label(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    let lead = line.len() - trimmed.len();
    let body = trimmed.strip_prefix("= ").unwrap_or(trimmed);
    let label_start = line.len() - body.len();
    let word_end = body.find(": ")?;
    let word = &body[..word_end];
    let is_label = word == "help"
        || word == "note"
        || word == "warning"
        || word.starts_with("error")
        || word.starts_with("warning[");
    // Labels open a line (rustc's headers) or follow a gutter's `= `.
    (is_label && (lead == 0 || label_start > lead)).then_some(label_start + word_end + 2)
}

/// A prose line wrapped at spaces: the label and first words, then the rest indented
/// to where the text began. A word longer than a whole line is cut like code.
fn wrap(line: &str, text_start: usize, room: usize) -> Vec<String> {
    let hang = text_start.min(room / 2);
    let (head, text) = line.split_at(text_start);
    let mut lines = vec![head.trim_end().to_owned()];
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let current = lines.last_mut().expect("one line at least");
        let used = current.chars().count();
        if used + 1 + word.chars().count() <= room || used <= hang {
            if used > 0 && !current.ends_with(' ') {
                current.push(' ');
            }
            current.push_str(word);
        } else {
            lines.push(format!("{}{word}", " ".repeat(hang)));
        }
    }
    lines.into_iter().map(|l| cut(&l, room)).collect()
}

/// `line`, or as much of it as fits `room` with an ellipsis when it does not.
fn cut(line: &str, room: usize) -> String {
    let line = line.trim_end();
    if line.chars().count() <= room {
        return line.to_owned();
    }
    let kept: String = line.chars().take(room - 1).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::draw;

    /// ex00's error as rustc renders it, with its longest lines.
    const EX00: &str = "error[E0277]: `Rc<Cell<u64>>` cannot be sent between threads safely\n  \
 --> src/lib.rs:51:27\n   \
 |\n\
51 |               thread::spawn(move || {\n   \
 |               ------------- ^------\n   \
 |               |             |\n   \
 |  _____________|_____________within this `{closure@src/lib.rs:51:27: 51:34}`\n   \
 |\n   \
 = help: within `{closure@src/lib.rs:51:27: 51:34}`, the trait `Send` is not implemented for `Rc<Cell<u64>>`\n\
note: required because it appears within the type `SettlementCounter`\n  \
 --> src/lib.rs:15:12";

    fn words(text: &str) -> Vec<&str> {
        text.split_whitespace()
            .filter(|w| !w.ends_with('…'))
            .collect()
    }

    #[test]
    fn no_line_passes_the_width_and_no_word_is_broken() {
        for width in [80, 60, 40] {
            let drawn = draw(&[EX00.to_owned()], 2, width);
            for line in drawn.lines() {
                assert!(line.chars().count() <= width, "{width}: {line:?}");
            }
            // Every word drawn is one of rustc's whole words (or cut with an
            // ellipsis, in code only).
            let original = words(EX00);
            for word in words(&drawn) {
                assert!(original.contains(&word), "{width}: {word:?} in\n{drawn}");
            }
        }
    }

    #[test]
    fn prose_wraps_under_its_text_and_code_is_cut_not_broken() {
        let drawn = draw(&[EX00.to_owned()], 2, 60);
        let lines: Vec<&str> = drawn.lines().collect();
        assert_eq!(
            lines[0],
            "  error[E0277]: `Rc<Cell<u64>>` cannot be sent between"
        );
        assert_eq!(lines[1], "                threads safely");
        assert!(lines.contains(&"    --> src/lib.rs:51:27"), "{drawn}");
        // The snippet's line keeps its columns; the marker line too long is cut.
        assert!(lines.contains(&"  51 |               thread::spawn(move || {"));
        assert!(
            lines.contains(&"     |  _____________|_____________within this `{closure@sr…"),
            "{drawn}"
        );
        // `= help:` continues under its own text.
        let help = lines.iter().position(|l| l.contains("= help:")).unwrap();
        assert!(lines[help + 1].starts_with(&" ".repeat(13)), "{drawn}");
        assert!(!lines[help + 1].starts_with(&" ".repeat(14)), "{drawn}");
    }

    #[test]
    fn two_errors_are_drawn_a_blank_line_apart() {
        let drawn = draw(&["error: one".to_owned(), "error: two".to_owned()], 2, 80);
        assert_eq!(drawn, "  error: one\n\n  error: two");
    }
}
