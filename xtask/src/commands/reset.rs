//! `cargo xtask reset ex01`: puts the exercise's crate back as shipped — the version
//! in git's `HEAD` — after copying the student's current version into a backup folder
//! outside `target/` (which `cargo clean` would wipe):
//! `.racelab/backups/<id>-<time>/<crate folder>/`, with the last grade's report beside
//! it as `last-report.toml`.
//!
//! Nothing is changed until the backup is complete, and nothing at all when the
//! workspace is not a git checkout or the exercise is not in `HEAD`.

use crate::console::{Console, Tone};
use crate::exercise_name::find_exercise;
use crate::git::git;
use crate::terminal::Terminal;
use anyhow::{Context, anyhow, bail};
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use racelab_grader::subject::Subject;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Where backups go, relative to the workspace root.
pub(crate) const BACKUPS: &str = ".racelab/backups";

/// The name the last grade's report gets inside a backup.
pub(crate) const REPORT_IN_BACKUP: &str = "last-report.toml";

/// `reset`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The exercise.
    exercise: String,
}

/// Resets the exercise `args` names.
pub(crate) fn run(
    lab: &Lab,
    args: Args,
    terminal: Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let exercise = find_exercise(lab, &args.exercise)?;
    reset(
        lab,
        exercise,
        &mut Console::new(out, err).with_terminal(terminal),
    )
}

/// Resets `exercise`; returns the exit status, or an error that changed nothing.
fn reset(lab: &Lab, exercise: &Exercise, console: &mut Console) -> anyhow::Result<i32> {
    let dir = lab.exercise_dir(exercise);
    let shipped = shipped_files(&lab.root, &exercise.dir)?;
    let current = files_below(&dir).with_context(|| format!("cannot read {}", dir.display()))?;

    let mut restored = Vec::new();
    for (path, content) in &shipped {
        if current.get(path).is_none_or(|c| c != content) {
            restored.push(path.clone());
        }
    }
    let removed: Vec<String> = current
        .keys()
        .filter(|p| !shipped.contains_key(*p))
        .cloned()
        .collect();
    if restored.is_empty() && removed.is_empty() {
        console.print(&format!(
            "{} is already as shipped ({} matches git's HEAD): nothing to reset.\n",
            exercise.id, exercise.dir
        ));
        return Ok(0);
    }

    // First the backup, whole; only then touch the exercise.
    let backup_root = backup_dir(lab, exercise)?;
    let crate_name = Path::new(&exercise.dir)
        .file_name()
        .map_or_else(|| exercise.id.clone(), |n| n.to_string_lossy().into_owned());
    let backup = backup_root.join(crate_name);
    for (path, content) in &current {
        write(&backup.join(path), content)
            .map_err(|e| anyhow!("{e}; the exercise was not changed"))?;
    }
    let report_moved = match Subject::locate(lab, exercise, None) {
        Ok(subject) => {
            let report = lab.default_report_path(exercise, &subject);
            report.is_file() && std::fs::rename(&report, backup_root.join(REPORT_IN_BACKUP)).is_ok()
        }
        Err(_) => false,
    };

    for path in &restored {
        write(&dir.join(path), &shipped[path])?;
    }
    for path in &removed {
        std::fs::remove_file(dir.join(path))
            .with_context(|| format!("cannot remove {}", dir.join(path).display()))?;
    }

    let backup_label = relative(&lab.root, &backup);
    let mut text = format!(
        "Reset {} ({}) to the version in git's HEAD.\n",
        exercise.id, exercise.title
    );
    text.push_str(&format!(
        "Your version is kept in {} ({} file{}).\n",
        console.paint(&format!("{backup_label}/"), Tone::Good),
        current.len(),
        if current.len() == 1 { "" } else { "s" }
    ));
    if report_moved {
        text.push_str(&format!(
            "The last grade's report moved beside it ({}), so `list` shows {} as not tried.\n",
            relative(&lab.root, &backup_root.join(REPORT_IN_BACKUP)),
            exercise.id
        ));
    }
    for path in &restored {
        text.push_str(&format!("  restored  {}/{path}\n", exercise.dir));
    }
    for path in &removed {
        text.push_str(&format!(
            "  removed   {}/{path} (not shipped; kept in the backup)\n",
            exercise.dir
        ));
    }
    text.push_str(&format!(
        "To grade your version again: cargo xtask grade {} --path {backup_label}\n\
         To bring it back:            cp -r {backup_label}/. {}/\n",
        exercise.id, exercise.dir
    ));
    console.print(&text);
    Ok(0)
}

/// The files of `dir` (relative to `root`) in git's `HEAD`, by path relative to `dir`.
fn shipped_files(root: &Path, dir: &str) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let not_git = |why: String| {
        anyhow!(
            "{} is not a git checkout ({why}), so there is no shipped version to restore. \
             Nothing was changed.",
            root.display()
        )
    };
    let listing = git(
        root,
        &["ls-tree", "-r", "-z", "--name-only", "HEAD", "--", dir],
    )
    .map_err(not_git)?;
    let prefix = format!("{}/", dir.trim_end_matches('/'));
    let mut files = BTreeMap::new();
    for path in String::from_utf8_lossy(&listing)
        .split('\0')
        .filter(|p| !p.is_empty())
    {
        let content = git(root, &["cat-file", "blob", &format!("HEAD:./{path}")]).map_err(|e| {
            anyhow!("cannot read {path} from git's HEAD: {e}. Nothing was changed.")
        })?;
        let inside = path.strip_prefix(&prefix).unwrap_or(path);
        files.insert(inside.to_owned(), content);
    }
    if files.is_empty() {
        bail!(
            "{dir} is not in git's HEAD, so there is no shipped version to restore. Nothing was changed."
        );
    }
    Ok(files)
}

/// Every file below `dir`, by path relative to it (`/`-separated), with its content.
/// A missing folder has no files.
fn files_below(dir: &Path) -> std::io::Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return Ok(files);
    }
    for entry in WalkDir::new(dir) {
        let entry = entry?;
        if entry.file_type().is_dir() {
            continue;
        }
        let path = entry.path();
        let relative = path
            .strip_prefix(dir)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        files.insert(relative, std::fs::read(path)?);
    }
    Ok(files)
}

/// A new, empty backup folder for `exercise`, named after the local time.
fn backup_dir(lab: &Lab, exercise: &Exercise) -> anyhow::Result<PathBuf> {
    let parent = lab.root.join(BACKUPS);
    std::fs::create_dir_all(&parent).map_err(|e| {
        anyhow!(
            "cannot create {}: {e}; the exercise was not changed",
            parent.display()
        )
    })?;
    let stamp = jiff::ZonedDateTime::now()
        .strftime("%Y%m%d-%H%M%S")
        .to_string();
    for n in 1.. {
        let name = match n {
            1 => format!("{}-{stamp}", exercise.id),
            _ => format!("{}-{stamp}-{n}", exercise.id),
        };
        let candidate = parent.join(name);
        // `create_dir` fails if it exists, so two resets never share a folder.
        match std::fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                bail!(
                    "cannot create {}: {e}; the exercise was not changed",
                    candidate.display()
                );
            }
        }
    }
    unreachable!("an unbounded range always yields another name")
}

fn write(path: &Path, content: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| anyhow!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, content).map_err(|e| anyhow!("cannot write {}: {e}", path.display()))
}

/// `path` relative to `root` when it is inside it.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
