//! `cargo xtask solution ex01`: the reference fixes, once the student's own fix passes.
//!
//! Each solution is a crate listed under `solutions` in the manifest. Its `src/lib.rs`
//! opens with a `//!` block that names the fix and says when it is the right choice;
//! that block is shown as prose, then the code without it.

use crate::console::{Console, Tone};
use crate::exercise_name::find_exercise;
use crate::progress::{self, Standing};
use crate::terminal::Terminal;
use racelab_grader::StageId;
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;
use racelab_grader::report::Report;
use racelab_grader::verdict::Verdict;
use std::io::Write;
use std::path::Path;
use walkdir::WalkDir;

/// `solution`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The exercise.
    exercise: String,
    /// Show them even though your fix does not pass yet.
    #[arg(long)]
    force: bool,
    /// Show each fix as a unified diff against your own file instead of whole files.
    #[arg(long)]
    diff: bool,
}

/// Shows the solutions of the exercise `args` names.
pub(crate) fn run(
    lab: &Lab,
    args: Args,
    terminal: Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let exercise = find_exercise(lab, &args.exercise)?;
    let mut console = Console::new(out, err).with_terminal(terminal);
    Ok(show(lab, exercise, &args, &mut console))
}

/// Exit status when the solutions are still locked.
const EXIT_LOCKED: i32 = 1;

/// One reference fix, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Its folder, relative to the workspace root.
    pub dir: String,
    /// The opening `//!` block of `src/lib.rs` as prose: what the fix is and when it
    /// is right.
    pub when: String,
    /// Each source file below `src/` (lib.rs first) with its path relative to the
    /// solution's folder; lib.rs without its opening `//!` block.
    pub files: Vec<(String, String)>,
}

/// Shows the reference fixes of `exercise`, or says why they are locked.
fn show(lab: &Lab, exercise: &Exercise, args: &Args, console: &mut Console) -> i32 {
    let last = progress::last_report(lab, exercise);
    let standing = progress::standing(last.as_ref());
    if standing != Standing::Passing && !args.force && !passed_before(lab, exercise) {
        let why = match &standing {
            Standing::NotTried => format!("you have not graded {} yet", exercise.id),
            Standing::Failing { caught } if !caught.is_empty() => {
                format!(
                    "your last grade failed (caught by {})",
                    StageId::list(caught)
                )
            }
            Standing::Failing { .. } => "your last grade did not build".to_owned(),
            Standing::Partial { skipped } => format!(
                "your last grade left out {}, so it is not a pass yet",
                StageId::list(skipped)
            ),
            Standing::GraderError | Standing::Passing => {
                "your last grade did not finish".to_owned()
            }
        };
        console.print(&format!(
            "The reference fixes for {id} unlock once your own fix passes, and {why}.\n\
             Keep going: `cargo xtask watch {id}` re-grades as you save, and \
             `cargo xtask hint {id}` gives the next hint.\n\
             To look anyway: cargo xtask solution {id} --force\n",
            id = exercise.id
        ));
        return EXIT_LOCKED;
    }

    if exercise.solutions.is_empty() {
        console.print(&format!(
            "The reference fixes for {} are not in this repository: they come from your instructor.\n",
            exercise.id
        ));
        return EXIT_LOCKED;
    }
    let mut text = format!(
        "Reference fixes for {} — {} ({}).\n\
         Each one passes every detector; they differ in what they cost.\n",
        exercise.id,
        exercise.title,
        match standing {
            Standing::Passing => "your fix passes too",
            _ => "shown with --force before your fix passes",
        }
    );
    let total = exercise.solutions.len();
    for (i, dir) in exercise.solutions.iter().enumerate() {
        let heading = format!("── {} of {total}: {dir}", i + 1);
        text.push_str(&format!("\n{}\n", console.paint(&heading, Tone::Good)));
        match read(&lab.root, dir) {
            Ok(reference) => {
                if !reference.when.is_empty() {
                    text.push_str(&format!("\n{}\n", reference.when));
                }
                for (path, code) in &reference.files {
                    let label = format!("{dir}/{path}");
                    if args.diff {
                        text.push('\n');
                        text.push_str(&diff(lab, exercise, path, &label, code, console));
                        continue;
                    }
                    text.push_str(&format!("\n{}\n", console.paint(&label, Tone::Quiet)));
                    text.push_str(&code_block(code));
                }
            }
            Err(e) => text.push_str(&format!("(cannot read it: {e})\n")),
        }
    }
    text.push_str(
        "\nWhich cost does your fix pay, and would the others suit this workload better?\n",
    );
    console.print(&text);
    0
}

/// Whether a grade of `exercise` passed before a `reset` moved its report into a
/// backup: a reset starts the exercise again, but does not lock what was earned.
fn passed_before(lab: &Lab, exercise: &Exercise) -> bool {
    let Ok(backups) = std::fs::read_dir(lab.root.join(crate::commands::reset::BACKUPS)) else {
        return false;
    };
    backups.flatten().any(|backup| {
        let name = backup.file_name().to_string_lossy().into_owned();
        name.strip_prefix(&exercise.id)
            .is_some_and(|rest| rest.starts_with('-'))
            && Report::read(&backup.path().join(crate::commands::reset::REPORT_IN_BACKUP))
                .is_ok_and(|report| report.verdict == Verdict::Pass)
    })
}

/// `code` (a reference fix's file at `path`, without its opening `//!` block) as a
/// unified diff against the same file of the student's crate, also without it.
fn diff(
    lab: &Lab,
    exercise: &Exercise,
    path: &str,
    label: &str,
    code: &str,
    console: &Console,
) -> String {
    let yours_path = lab.root.join(&exercise.dir).join(path);
    let yours = match std::fs::read_to_string(&yours_path) {
        Ok(source) if path == "src/lib.rs" => split_doc(&source).1,
        Ok(source) => source,
        Err(_) => String::new(),
    };
    let yours_label = format!("{}/{path}", exercise.dir);
    let (yours, code) = (format!("{yours}\n"), format!("{code}\n"));
    let diff = similar::TextDiff::from_lines(&yours, &code);
    if diff.ratio() == 1.0 {
        return format!("{label}: the same as yours.\n");
    }
    let unified = diff
        .unified_diff()
        .context_radius(3)
        .header(&yours_label, label)
        .to_string();
    unified
        .lines()
        .map(|line| {
            let tone = match line.chars().next() {
                Some('+') if !line.starts_with("+++") => Some(Tone::Good),
                Some('-') if !line.starts_with("---") => Some(Tone::Bad),
                Some('@') => Some(Tone::Quiet),
                _ => None,
            };
            let line = tone.map_or_else(|| line.to_owned(), |tone| console.paint(line, tone));
            format!("{line}\n")
        })
        .collect()
}

/// Reads the solution crate at `dir` (relative to `root`).
fn read(root: &Path, dir: &str) -> std::io::Result<Reference> {
    let src = root.join(dir).join("src");
    let mut paths = Vec::new();
    for entry in WalkDir::new(&src) {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "rs") {
            paths.push(path.to_owned());
        }
    }
    // lib.rs first, the rest in name order.
    paths.sort_by_key(|p| (p != &src.join("lib.rs"), p.clone()));
    let mut when = String::new();
    let mut files = Vec::new();
    for path in paths {
        let source = std::fs::read_to_string(&path)?;
        let relative = path
            .strip_prefix(root.join(dir))
            .unwrap_or(&path)
            .display()
            .to_string();
        let code = if path == src.join("lib.rs") {
            let (doc, code) = split_doc(&source);
            when = doc;
            code
        } else {
            source
        };
        files.push((relative, code));
    }
    Ok(Reference {
        dir: dir.to_owned(),
        when,
        files,
    })
}

/// Splits a source file into its opening `//!` block, as paragraphs of prose (each
/// paragraph's lines joined), and the rest of the file.
fn split_doc(source: &str) -> (String, String) {
    let lines: Vec<&str> = source.lines().collect();
    let doc_lines = lines
        .iter()
        .take_while(|l| l.trim_start().starts_with("//!"))
        .count();
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in &lines[..doc_lines] {
        let text = line.trim_start().trim_start_matches("//!").trim();
        if text.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(text);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    let rest = lines[doc_lines..]
        .iter()
        .skip_while(|l| l.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    (paragraphs.join("\n\n"), rest)
}

/// The code indented by four spaces, so it stands apart from the prose.
fn code_block(code: &str) -> String {
    code.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("    {l}\n")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::split_doc;

    #[test]
    fn the_opening_doc_block_becomes_paragraphs_and_the_code_keeps_the_rest() {
        let source = "//! Fix A: a lock.\n//!\n//! Right when updates are rare:\n//! the lock is contended.\n\nuse x;\n\n/// Item doc.\nfn f() {}\n";
        let (doc, code) = split_doc(source);
        assert_eq!(
            doc,
            "Fix A: a lock.\n\nRight when updates are rare: the lock is contended."
        );
        assert_eq!(code, "use x;\n\n/// Item doc.\nfn f() {}");
    }

    #[test]
    fn a_file_without_a_doc_block_is_all_code() {
        assert_eq!(
            split_doc("fn f() {}\n"),
            (String::new(), "fn f() {}".into())
        );
    }
}
