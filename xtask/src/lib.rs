//! Racelab's command line, run as `cargo xtask <command>` (an alias in
//! `.cargo/config.toml`).
//!
//! Each command is one module under [`commands`]: it parses its arguments, opens the
//! lab, calls the grader, and hands the results to a printer ([`console`]); the grader
//! itself prints nothing. Everything is written to the `out` and `err` streams given to
//! [`run`], so the tests drive the command line in-process.

mod commands;
pub mod console;
mod exercise_name;
mod git;
mod hints;
pub mod progress;
pub mod terminal;

use clap::Parser;
use racelab_grader::lab::Lab;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use terminal::Terminal;

/// Exit status for usage errors and the grader's own failures.
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Racelab: fix the race, then prove it with five detectors."
)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
    /// Fit tables and long lines to this many columns (default: `COLUMNS`, else the
    /// terminal's width, else 80).
    #[arg(long, global = true, value_name = "COLUMNS", value_parser = clap::value_parser!(u16).range(20..))]
    width: Option<u16>,
}

/// The whole program: `cargo xtask …` with this process's arguments and streams;
/// exits with the command's status.
///
/// On Ctrl-C, `SIGTERM` (what CI systems and Gradescope send at their timeouts) or
/// `SIGHUP` (a closed terminal) it ends every build and runner the grade started (they
/// run in their own process groups, so a signal to this one does not reach them), then
/// leaves with status 130 without writing a report: reports are written whole at the
/// end, or not at all.
pub fn main() -> ! {
    let _ = ctrlc::set_handler(|| {
        racelab_grader::process::kill_all_children();
        // `watch` keeps the terminal in raw mode; give it back before leaving.
        let _ = crossterm::terminal::disable_raw_mode();
        eprintln!(
            "\ninterrupted (Ctrl-C, SIGTERM or SIGHUP): every process the grade started has been stopped; no report was written"
        );
        std::process::exit(130);
    });
    let code = run(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    std::process::exit(code)
}

/// Runs the command line `args` (program name first) and returns the exit status.
/// `out` and `err` are taken to be this process's stdout and stderr: colours, spinners
/// and `watch` are used where they are terminals.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    run_with(&default_root(), args, out, err, Terminal::detect())
}

/// Like [`run`], on the workspace at `root`, with plain output and no terminal (so
/// `watch` refuses to start).
pub fn run_in(
    root: &Path,
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    run_with(root, args, out, err, Terminal::default())
}

/// Like [`run_in`], with `terminal` saying what `out`, `err` and stdin are connected to.
pub fn run_with(
    root: &Path,
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: Terminal,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            if e.use_stderr() {
                let _ = write!(err, "{}", e.render());
                return EXIT_USAGE;
            }
            let _ = write!(out, "{}", e.render());
            return 0;
        }
    };
    let lab = match Lab::open(root) {
        Ok(lab) => lab,
        Err(e) => {
            let _ = writeln!(
                err,
                "error: {e}\nFix the manifest (see ARCHITECTURE.md) and run again."
            );
            return EXIT_USAGE;
        }
    };
    let terminal = Terminal {
        width: cli.width.map(usize::from).or(terminal.width),
        ..terminal
    };
    match cli.command.execute(&lab, terminal, out, err) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e:#}");
            EXIT_USAGE
        }
    }
}

/// The workspace this binary was built in.
fn default_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned)
}
