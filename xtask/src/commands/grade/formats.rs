//! The files CI systems and course platforms read beyond the TOML reports — JUnit,
//! Gradescope, the gradebook, GitHub annotations — for `grade` (one subject or a
//! class) and `merge`.

use racelab_grader::batch;
use racelab_grader::formats::gradescope::{self, Visibility};
use racelab_grader::formats::{Graded, annotations, gradebook, junit};
use racelab_grader::lab::Lab;
use racelab_grader::report::write_atomically;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files CI systems and course platforms read, for `grade` and `merge`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct FormatArgs {
    /// Also write the results as JUnit XML: a test suite per subject, a test case per
    /// stage.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write Gradescope's results.json: an exercise's points for a pass (100
    /// unless the manifest says otherwise), and its partial credit per stage if any.
    /// For a class (--submissions, merge) PATH is a folder: one
    /// PATH/<student>/results.json per student.
    #[arg(long, value_name = "PATH")]
    pub gradescope: Option<PathBuf>,
    /// Also write a gradebook CSV: a row per student, a verdict and points per
    /// exercise, and the total.
    #[arg(long, value_name = "FILE")]
    pub gradebook: Option<PathBuf>,
    /// With --gradebook: the class list, one student a line (as their submission
    /// folders are named); a student with no submission shows as missing.
    #[arg(long, value_name = "FILE", requires = "gradebook")]
    pub roster: Option<PathBuf>,
    /// When students see the Gradescope results: visible, hidden, after_due_date or
    /// after_published.
    #[arg(long, value_name = "WHEN", default_value = "visible")]
    pub gradescope_visibility: Visibility,
}

/// Whose results the formats are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    /// One submission (a single grade, the workspace's `--all`): one Gradescope file.
    One,
    /// A class of students (`--submissions`, `merge`): a Gradescope file each.
    Class,
}

/// Writes what `class` asks for beyond the TOML reports — JUnit, Gradescope, the
/// gradebook, and GitHub annotations when running under GitHub Actions — from
/// `graded`. Returns whether every file could be written.
pub(crate) fn write_formats(
    lab: &Lab,
    class: &FormatArgs,
    graded: &[Graded<'_>],
    audience: Audience,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> bool {
    // Read first: a roster that cannot be read writes no gradebook.
    let roster = match class.roster.as_deref().map(gradebook::read_roster) {
        Some(Err(e)) => {
            let roster = class.roster.as_deref().unwrap_or(Path::new(""));
            let _ = writeln!(
                err,
                "error: cannot read the roster {}: {e}",
                roster.display()
            );
            None
        }
        Some(Ok(names)) => Some(names),
        None => Some(Vec::new()),
    };
    let mut healthy = roster.is_some();
    let mut save =
        |what: &str, path: &Path, text: String, out: &mut dyn Write| match write_atomically(
            path, &text,
        ) {
            Ok(()) => {
                let _ = writeln!(out, "{what}: {}", path.display());
            }
            Err(e) => {
                let _ = writeln!(
                    err,
                    "error: cannot write the {what} file {}: {e}",
                    path.display()
                );
                healthy = false;
            }
        };
    if let Some(path) = &class.junit {
        save("junit", path, junit::render(graded), out);
    }
    match (&class.gradescope, audience) {
        (Some(path), Audience::One) => {
            let text = gradescope::render(graded, class.gradescope_visibility, &lab.manifest);
            save("gradescope", path, text, out);
        }
        (Some(dir), Audience::Class) => {
            // Gradescope scores one submission a file: each student's own results.
            let mut students: Vec<&str> = graded.iter().map(|g| g.name).collect();
            students.dedup();
            for student in &students {
                let theirs: Vec<Graded<'_>> = graded
                    .iter()
                    .filter(|g| g.name == *student)
                    .copied()
                    .collect();
                let text = gradescope::render(&theirs, class.gradescope_visibility, &lab.manifest);
                let path = dir.join(batch::safe_stem(student)).join("results.json");
                save("gradescope", &path, text, &mut std::io::sink());
            }
            let _ = writeln!(
                out,
                "gradescope: {} (a results.json for each of {} student(s))",
                dir.display(),
                students.len()
            );
        }
        (None, _) => {}
    }
    if let (Some(path), Some(roster)) = (&class.gradebook, &roster) {
        let exercises: Vec<&str> = lab
            .manifest
            .exercises
            .iter()
            .map(|e| e.id.as_str())
            .filter(|id| graded.iter().any(|g| g.report.exercise == *id))
            .collect();
        let text = gradebook::render(graded, &exercises, roster, &lab.manifest);
        save("gradebook", path, text, out);
    }
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        let base = std::env::var_os("GITHUB_WORKSPACE")
            .map(PathBuf::from)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        let base = base.canonicalize().unwrap_or(base);
        for line in annotations::github(graded, &lab.root, &base) {
            let _ = writeln!(out, "{line}");
        }
    }
    healthy
}
