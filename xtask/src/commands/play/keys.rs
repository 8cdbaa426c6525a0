//! The keys of the game: `1`–`9` run that thread one step, `u` undo, `r` restart,
//! `h` hint, `q` quit.

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use std::sync::atomic::{AtomicBool, Ordering};

/// What a key asks of the game.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    /// Run thread `n` (`T1` is 1) one step.
    Run(usize),
    /// Take back the last choice.
    Undo,
    /// Start the round again.
    Restart,
    /// Show where to switch.
    Hint,
    /// Leave the game (Ctrl-C and Esc too).
    Quit,
}

impl Key {
    /// The key the game gives `event` a meaning, if any.
    fn of(event: &Event) -> Option<Key> {
        let Event::Key(key) = event else {
            return None;
        };
        if key.kind != KeyEventKind::Press {
            return None;
        }
        match key.code {
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => Some(Key::Quit),
            KeyCode::Char('q') | KeyCode::Esc => Some(Key::Quit),
            KeyCode::Char('u') | KeyCode::Backspace => Some(Key::Undo),
            KeyCode::Char('r') => Some(Key::Restart),
            KeyCode::Char('h') => Some(Key::Hint),
            KeyCode::Char(digit @ '1'..='9') => digit.to_digit(10).map(|n| Key::Run(n as usize)),
            _ => None,
        }
    }
}

/// Whether the game reads the keys now, not watch mode's key reader (`b` in watch).
static TAKEN_FROM_WATCH: AtomicBool = AtomicBool::new(false);

/// The game takes the keys from watch mode's reader (`true`), or gives them back.
pub(super) fn take_from_watch(taken: bool) {
    TAKEN_FROM_WATCH.store(taken, Ordering::SeqCst);
}

/// Whether watch mode's key reader must leave the keys to the game.
pub(crate) fn taken_from_watch() -> bool {
    TAKEN_FROM_WATCH.load(Ordering::SeqCst)
}

/// Waits for the next key the game knows (the terminal must be in raw mode).
pub(super) fn next() -> std::io::Result<Key> {
    loop {
        if let Some(key) = Key::of(&event::read()?) {
            return Ok(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Key;
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

    fn press(code: KeyCode) -> Option<Key> {
        Key::of(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    #[test]
    fn digits_run_threads_and_letters_act() {
        assert_eq!(press(KeyCode::Char('1')), Some(Key::Run(1)));
        assert_eq!(press(KeyCode::Char('9')), Some(Key::Run(9)));
        assert_eq!(press(KeyCode::Char('0')), None);
        assert_eq!(press(KeyCode::Char('u')), Some(Key::Undo));
        assert_eq!(press(KeyCode::Char('r')), Some(Key::Restart));
        assert_eq!(press(KeyCode::Char('h')), Some(Key::Hint));
        assert_eq!(press(KeyCode::Char('q')), Some(Key::Quit));
        assert_eq!(press(KeyCode::Char('x')), None);
        let interrupt = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(Key::of(&Event::Key(interrupt)), Some(Key::Quit));
    }
}
