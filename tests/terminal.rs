//! A real terminal for tests, with nothing installed: a pseudo-terminal from the
//! kernel (rustix's `pty`), the program started as the session leader with the pty as
//! its controlling terminal (as a terminal emulator starts a shell), and its output
//! drawn on a screen by a VT100 parser (the `vt100` crate), which the test reads back.
//!
//! This replaces tmux, which a newcomer's machine does not have.

use rustix::fd::{AsFd, OwnedFd};
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use rustix::termios::{Winsize, tcsetwinsize};
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A program running in a terminal of a fixed size; killed (its whole session) when
/// dropped.
pub struct Terminal {
    child: Child,
    input: std::fs::File,
    screen: Arc<Mutex<vt100::Parser>>,
}

impl Terminal {
    /// Starts `sh -c command` in `dir`, in a terminal of `cols`×`rows`, with `TERM` set
    /// to a colour terminal's.
    pub fn spawn(command: &str, dir: &Path, cols: u16, rows: u16) -> Terminal {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("a pseudo-terminal");
        grantpt(&master).expect("grantpt");
        unlockpt(&master).expect("unlockpt");
        let name = ptsname(&master, Vec::new()).expect("the pty's name");
        tcsetwinsize(
            &master,
            Winsize {
                ws_row: rows,
                ws_col: cols,
                ws_xpixel: 0,
                ws_ypixel: 0,
            },
        )
        .expect("the pty's size");
        let slave: OwnedFd = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(name.to_str().expect("a pty's name is ASCII"))
            .expect("the pty's slave side")
            .into();
        let mut shell = Command::new("sh");
        shell
            .args(["-c", command])
            .current_dir(dir)
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .stdin(Stdio::from(slave.try_clone().expect("a dup")))
            .stdout(Stdio::from(slave.try_clone().expect("a dup")))
            .stderr(Stdio::from(slave));
        // SAFETY: between fork and exec the closure calls only async-signal-safe system
        // calls (setsid, ioctl) on the child's own descriptors, and allocates nothing.
        unsafe {
            shell.pre_exec(|| {
                rustix::process::setsid()?;
                rustix::process::ioctl_tiocsctty(std::io::stdin().as_fd())?;
                Ok(())
            });
        }
        let child = shell.spawn().expect("sh starts in the terminal");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            nonzero(rows),
            nonzero(cols),
            0,
        )));
        let mut output = std::fs::File::from(master.try_clone().expect("a dup"));
        let drawn = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            // Ends with EIO once every process holding the slave side has exited.
            while let Ok(read @ 1..) = output.read(&mut buffer) {
                drawn
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .process(&buffer[..read]);
            }
        });
        Terminal {
            child,
            input: std::fs::File::from(master),
            screen,
        }
    }

    /// Types `keys` (bytes as a keyboard sends them: `"q"`, `"\r"`).
    pub fn keys(&mut self, keys: &str) {
        self.input
            .write_all(keys.as_bytes())
            .expect("the terminal takes input");
    }

    /// The screen's text, row by row, trailing blanks trimmed.
    pub fn screen(&self) -> String {
        self.parser().screen().contents()
    }

    /// The screen's rows, each with whether any of its characters is styled: drawn in a
    /// colour other than the terminal's default, bold, dim, italic, underlined or
    /// inverted.
    pub fn rows_styled(&self) -> Vec<(String, bool)> {
        let parser = self.parser();
        let screen = parser.screen();
        let (rows, cols) = screen.size();
        let (rows, cols) = (rows.get(), cols.get());
        (0..rows)
            .map(|row| {
                let styled = (0..cols).any(|col| {
                    screen.cell(row, col).is_some_and(|cell| {
                        cell.fgcolor() != vt100::Color::Default
                            || cell.bgcolor() != vt100::Color::Default
                            || cell.bold()
                            || cell.dim()
                            || cell.italic()
                            || cell.underline()
                            || cell.inverse()
                    })
                });
                let text = screen.contents_between(row, 0, row, cols);
                (text, styled)
            })
            .collect()
    }

    /// Waits until the screen satisfies `ready`; panics with the screen after `limit`.
    pub fn wait_for(&self, what: &str, limit: Duration, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited {limit:?} for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn parser(&self) -> std::sync::MutexGuard<'_, vt100::Parser> {
        self.screen.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        // The shell leads its own session and process group: end all of it.
        if let Some(group) = rustix::process::Pid::from_raw(self.child.id() as i32) {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        let _ = self.child.wait();
    }
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a terminal has rows and columns")
}
