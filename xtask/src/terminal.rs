//! What the standard streams are connected to, and what that allows: colours on a
//! terminal unless `NO_COLOR` is set, a spinner on a terminal's stderr, and single-key
//! input for `watch`. Anything else (a pipe, a file, a test's buffer) gets plain,
//! deterministic text.

use std::io::{IsTerminal, Write};

/// Which standard streams are terminals, and whether colour is wanted.
///
/// The default is "no terminal at all": what [`crate::run_in`] uses, so output
/// captured by tests stays plain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Terminal {
    /// Standard input is a terminal (keys can be read one at a time).
    pub stdin: bool,
    /// Standard output is a terminal.
    pub stdout: bool,
    /// Standard error is a terminal (a spinner can be drawn there).
    pub stderr: bool,
    /// Results may be coloured: stdout is a terminal, `NO_COLOR` is unset or empty,
    /// and `TERM` is not `dumb`.
    pub color: bool,
    /// How many columns the output may take: `--width`, else `COLUMNS`, else the
    /// terminal's width; `None` for none of them ([`DEFAULT_WIDTH`] is used).
    pub width: Option<usize>,
}

/// The width output is fitted to when neither `--width`, `COLUMNS` nor a terminal
/// says: the classic 80 columns, so that logs and CI output read well anywhere.
pub const DEFAULT_WIDTH: usize = 80;

impl Terminal {
    /// Looks at this process's standard streams and environment.
    pub fn detect() -> Terminal {
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let stdout = std::io::stdout().is_terminal();
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|c| *c > 0);
        let measured = || {
            stdout
                .then(crossterm::terminal::size)
                .and_then(Result::ok)
                .map(|(columns, _)| usize::from(columns))
                .filter(|c| *c > 0)
        };
        Terminal {
            stdin: std::io::stdin().is_terminal(),
            stdout,
            stderr: std::io::stderr().is_terminal() && !dumb,
            color: stdout && !dumb && !no_color,
            width: columns.or_else(measured),
        }
    }

    /// The columns the output may take (see [`Terminal::width`]).
    pub fn columns(self) -> usize {
        self.width.unwrap_or(DEFAULT_WIDTH)
    }

    /// Whether `watch` can run: it reads single keys and redraws the screen.
    pub fn interactive(self) -> bool {
        self.stdin && self.stdout
    }
}

/// Raw mode for the lifetime of the guard: keys arrive one at a time, unechoed.
/// Dropping the guard (also while unwinding) gives the terminal back as it was.
pub struct RawMode(());

impl RawMode {
    /// Switches the terminal to raw mode.
    pub fn enable() -> std::io::Result<RawMode> {
        crossterm::terminal::enable_raw_mode()?;
        Ok(RawMode(()))
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// A writer for a terminal in raw mode, which no longer returns the carriage at a
/// line feed: every `\n` written through it goes out as `\r\n`.
pub struct RawLines<'a> {
    inner: &'a mut dyn Write,
}

impl<'a> RawLines<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut dyn Write) -> Self {
        Self { inner }
    }
}

impl Write for RawLines<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for (i, piece) in buf.split(|&b| b == b'\n').enumerate() {
            if i > 0 {
                self.inner.write_all(b"\r\n")?;
            }
            self.inner.write_all(piece)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::{RawLines, Terminal};
    use std::io::Write;

    #[test]
    fn raw_lines_return_the_carriage_at_every_line_feed() {
        let mut buffer = Vec::new();
        write!(RawLines::new(&mut buffer), "one\ntwo\n\nthree").unwrap();
        assert_eq!(buffer, b"one\r\ntwo\r\n\r\nthree");
    }

    #[test]
    fn the_default_is_plain_and_not_interactive() {
        let plain = Terminal::default();
        assert!(!plain.color && !plain.stderr && !plain.interactive());
    }
}
