//! `cargo xtask play ex01 [--path DIR]`: the student is the scheduler. The exercise's
//! scenario runs under shuttle with a scheduler that asks the player which thread runs
//! next; they win by breaking the invariant or deadlocking the threads, and the win is
//! a schedule `cargo xtask replay` follows exactly.
//!
//! Three parts: the [`session`] (the choices and where they lead, asked of the runner
//! through `racelab_grader::play`), the [`screen`] drawn from a position, and the
//! [`keys`]. Without a terminal it plays `--moves` and prints the screen once.

mod keys;
mod screen;
mod session;

use crate::console::Console;
use crate::exercise_name::find_exercise;
use crate::terminal::{RawLines, RawMode, Terminal};
use anyhow::anyhow;
use keys::Key;
pub(crate) use keys::taken_from_watch;
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use racelab_grader::play::Game;
use racelab_grader::report::Status;
use racelab_grader::stages::StageId;
use racelab_grader::subject::Subject;
use session::{Session, Stage};
use std::io::Write;
use std::path::{Path, PathBuf};

/// `play`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The exercise.
    exercise: String,
    /// Play this crate folder instead of the workspace's exercise crate.
    #[arg(long, value_name = "DIR")]
    path: Option<PathBuf>,
    /// Threads to run first, one per choice (comma-separated: `1,1,2`); without a
    /// terminal, the screen after them is printed once.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    moves: Vec<usize>,
}

/// Plays until the player wins or quits; returns the exit status.
pub(crate) fn run(
    lab: &Lab,
    args: Args,
    terminal: Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let exercise = find_exercise(lab, &args.exercise)?;
    let subject = Subject::locate(lab, exercise, args.path.as_deref())?;
    let _ = writeln!(err, "Building the shuttle runner of {}…", subject.label);
    let mut session = match open(lab, exercise, &subject, args.moves) {
        Ok(session) => session,
        Err(problem) => {
            let _ = writeln!(err, "error: {problem}");
            return Ok(1);
        }
    };
    let roots = [subject.dir.as_path(), lab.root.as_path()];
    if terminal.interactive() {
        let raw = RawMode::enable().map_err(|e| anyhow!("cannot read single keys: {e}"))?;
        play(
            &mut session,
            &roots,
            terminal.columns(),
            &mut RawLines::new(out),
        )?;
        drop(raw);
    } else {
        let width = terminal.columns();
        let _ = writeln!(out, "{}", screen::draw(&session, &roots, width, usize::MAX));
    }
    if session.stage() == Stage::Won {
        let mut console = Console::new(out, err).with_terminal(terminal);
        won(lab, exercise, &subject, &session, &mut console)?;
    }
    Ok(0)
}

/// Watch mode's `b` ("break it first"): the same game on the watched crate, on watch's
/// terminal (already in raw mode), its keys taken from watch's key reader meanwhile.
pub(crate) fn from_watch(lab: &Lab, exercise: &Exercise, subject: &Subject, console: &mut Console) {
    console.print(&format!(
        "\nBuilding the shuttle runner of {}…\n",
        subject.label
    ));
    let mut session = match open(lab, exercise, subject, Vec::new()) {
        Ok(session) => session,
        Err(problem) => {
            console.print(&format!("error: {problem}\n"));
            return;
        }
    };
    let roots = [subject.dir.as_path(), lab.root.as_path()];
    let columns =
        crossterm::terminal::size().map_or(crate::terminal::DEFAULT_WIDTH, |(c, _)| usize::from(c));
    keys::take_from_watch(true);
    let mut stdout = std::io::stdout();
    let played = play(
        &mut session,
        &roots,
        columns,
        &mut RawLines::new(&mut stdout),
    );
    keys::take_from_watch(false);
    let ended = match played {
        Ok(()) if session.stage() == Stage::Won => won(lab, exercise, subject, &session, console),
        other => other,
    };
    if let Err(problem) = ended {
        console.print(&format!("error: {problem}\n"));
    }
    console.print("\nBack in watch mode: fix it, save, and the grade runs again.\n");
}

/// Builds the runner and plays `moves`; why not, when the subject cannot be played.
fn open<'a>(
    lab: &'a Lab,
    exercise: &'a Exercise,
    subject: &'a Subject,
    moves: Vec<usize>,
) -> Result<Session<'a>, String> {
    let game = Game::open(lab, exercise, subject)
        .map_err(|problem| format!("cannot play {}: {problem}", subject.label))?;
    Session::start(game, moves)
}

/// The game on a terminal in raw mode (`screen` turns line feeds into new lines),
/// `columns` wide, until a win or `q`.
fn play(
    session: &mut Session<'_>,
    roots: &[&Path],
    columns: usize,
    screen: &mut dyn Write,
) -> anyhow::Result<()> {
    while session.stage() != Stage::Won {
        let rows = crossterm::terminal::size().map_or(24, |(_, rows)| usize::from(rows));
        let drawn = screen::draw(session, roots, columns, rows);
        write!(screen, "\x1b[H\x1b[2J{drawn}")?;
        screen.flush()?;
        let done = match keys::next()? {
            Key::Run(thread) => session.run(thread),
            Key::Undo => session.undo(),
            Key::Restart => session.restart(),
            Key::Hint => {
                write!(screen, "\nSearching for the fewest switches that break it…")?;
                screen.flush()?;
                session.hint()
            }
            Key::Quit => break,
        };
        if let Err(problem) = done {
            session.note = Some(format!("The runner failed: {problem}"));
        }
    }
    write!(screen, "\x1b[H\x1b[2J")?;
    screen.flush()?;
    Ok(())
}

/// The win: the grader's words and whole interleaving from a replay of the schedule
/// (which checks that it replays), the score, and the schedule, saved.
fn won(
    lab: &Lab,
    exercise: &Exercise,
    subject: &Subject,
    session: &Session<'_>,
    console: &mut Console,
) -> anyhow::Result<()> {
    let schedule = session
        .now
        .schedule
        .clone()
        .ok_or_else(|| anyhow!("the round broke, but shuttle wrote no schedule for it"))?;
    console.print(&format!(
        "You broke {} in {} moves! The grader replays your schedule:\n\n",
        exercise.id,
        session.choices.len()
    ));
    let judgement = racelab_grader::replay(
        lab,
        exercise,
        subject,
        StageId::Shuttle,
        Some(&schedule),
        None,
        console,
    )
    .map_err(anyhow::Error::msg)?;
    console.replayed(StageId::Shuttle, &judgement);
    if judgement.status != Status::Fail {
        console.print(&format!(
            "warning: the replay did not break the round ({}): the schedule is not exact\n",
            judgement.status
        ));
    }
    let used = session.now.position.switches;
    let fewest = session
        .game
        .play(&session.choices, true)
        .ok()
        .and_then(|searched| searched.position.fewest_switches);
    let plural = if used == 1 { "" } else { "es" };
    console.print(&match fewest {
        Some(fewest) => format!(
            "\nScore: you used {used} switch{plural}; {fewest} {} enough.\n",
            if fewest == 1 { "is" } else { "are" }
        ),
        None => format!("\nScore: you used {used} switch{plural}.\n"),
    });
    let saved = lab.work_dir().join("play");
    std::fs::create_dir_all(&saved)?;
    let saved = saved.join(format!("{}-{}.schedule", exercise.id, subject.key));
    std::fs::write(&saved, format!("{schedule}\n"))?;
    let mut command = format!("cargo xtask replay {} --schedule {schedule}", exercise.id);
    if subject.dir != lab.exercise_dir(exercise) {
        command.push_str(&format!(" --path {}", quoted(&subject.label)));
    }
    console.print(&format!(
        "The schedule is saved in {}. Replay it:\n  {command}\n",
        saved.strip_prefix(&lab.root).unwrap_or(&saved).display()
    ));
    Ok(())
}

/// A word as a shell reads it back.
fn quoted(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
