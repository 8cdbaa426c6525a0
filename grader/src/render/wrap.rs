//! Text wrapped at word boundaries, never inside a word: what the console prints
//! around the tables (summaries, notes, failures), so that a path, a command or a
//! schedule is never split where a student would copy it.

/// `text` in lines of at most `room` columns, broken only at spaces; a word longer
/// than `room` gets a line of its own (and is longer than `room`).
pub fn words(text: &str, room: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let taken = current.chars().count();
        if taken > 0 && taken + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut current));
        } else if taken > 0 {
            current.push(' ');
        }
        current.push_str(word);
    }
    lines.push(current);
    lines
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn lines_break_at_spaces_and_a_long_word_stays_whole() {
        assert_eq!(words("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(
            words("see exercises/ex04/src/lib.rs:63 now", 10),
            ["see", "exercises/ex04/src/lib.rs:63", "now"]
        );
        assert_eq!(words("", 10), [""]);
    }
}
