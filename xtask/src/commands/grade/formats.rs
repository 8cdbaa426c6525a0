//! The files CI systems and course platforms read beyond the TOML reports — JUnit,
//! Gradescope, the gradebook, GitHub annotations — for `grade` (one subject or a
//! class) and `merge`.

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
    #[arg(long, value_name = "FILE")]
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

/// Writes what `class` asks for beyond the TOML reports — JUnit, Gradescope, the
/// gradebook, and GitHub annotations when running under GitHub Actions — from
/// `graded`. Returns whether every file could be written.
pub(crate) fn write_formats(
    lab: &Lab,
    class: &FormatArgs,
    graded: &[Graded<'_>],
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
    if let Some(path) = &class.gradescope {
        let text = gradescope::render(graded, class.gradescope_visibility, &lab.manifest);
        save("gradescope", path, text, out);
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
