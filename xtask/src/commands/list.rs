//! `cargo xtask list`: every exercise with its standing after the last grade, and what
//! to do next: a command at the shell, a key inside watch mode (`l`).

use crate::console::Console;
use crate::progress;
use crate::terminal::Terminal;
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use std::io::Write;

/// Prints the list; always succeeds.
pub(crate) fn run(lab: &Lab, terminal: Terminal, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    Console::new(out, err)
        .with_terminal(terminal)
        .list(&progress::all(lab), &ListedIn::Shell);
    0
}

/// Where the list is shown, which decides how its advice is put: at the shell a
/// command to type, inside watch mode the key to press (a command there would mean
/// quitting first without saying so).
#[derive(Debug, Clone, Copy)]
pub(crate) enum ListedIn<'e> {
    Shell,
    Watch {
        /// The exercise on screen.
        watched: &'e Exercise,
        /// Its last grade passed, so `n` moves on.
        passed: bool,
        /// `n` can move on at all: not when watching a `--path` folder.
        follows_next: bool,
    },
}

/// What to do about `next`, the first exercise that does not pass yet.
pub(crate) fn next_step(next: &Exercise, place: &ListedIn<'_>) -> String {
    match *place {
        ListedIn::Shell => format!("cargo xtask watch {}", next.id),
        ListedIn::Watch { watched, .. } if watched.id == next.id => format!(
            "{}, the one on screen: save a fix to grade it again (h for a hint)",
            next.id
        ),
        ListedIn::Watch {
            follows_next: false,
            ..
        } => format!(
            "{} — press q, then cargo xtask watch {} (n does not leave a --path folder)",
            next.id, next.id
        ),
        ListedIn::Watch { passed: true, .. } => format!("{} — press n", next.id),
        ListedIn::Watch { watched, .. } => {
            format!("{} — press n once {} passes", next.id, watched.id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ListedIn, next_step};
    use racelab_grader::lab::Lab;
    use std::path::Path;

    #[test]
    fn inside_watch_the_advice_names_keys_and_at_the_shell_a_command() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let lab = Lab::open(root).unwrap();
        let (ex00, ex01) = (
            lab.manifest.find("ex00").unwrap(),
            lab.manifest.find("ex01").unwrap(),
        );
        let watch = |watched, passed, follows_next| ListedIn::Watch {
            watched,
            passed,
            follows_next,
        };
        assert_eq!(next_step(ex00, &ListedIn::Shell), "cargo xtask watch ex00");
        assert_eq!(next_step(ex01, &watch(ex00, true, true)), "ex01 — press n");
        assert_eq!(
            next_step(ex01, &watch(ex00, false, true)),
            "ex01 — press n once ex00 passes"
        );
        assert_eq!(
            next_step(ex01, &watch(ex01, false, true)),
            "ex01, the one on screen: save a fix to grade it again (h for a hint)"
        );
        let from_a_folder = next_step(ex01, &watch(ex00, true, false));
        assert!(
            from_a_folder.starts_with("ex01 — press q"),
            "{from_a_folder}"
        );
    }
}
