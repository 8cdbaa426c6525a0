//! `cargo xtask dev check`: what is missing or inconsistent in the lab's exercises,
//! found by reading files (and one `cargo metadata`), never by grading.
//!
//! Problems (exit status 1): a crate, scenario or solution that is not there; an
//! exercise without solutions or hints; a crate cargo's workspace does not include; a
//! real-thread stage claimed in `shipped.caught_by` with no measured rate in
//! `docs/detection-rates.md`; README.md's detector matrix out of date with the
//! manifest; a survivor in the last `dev mutants` results
//! (`target/racelab/mutants/results.toml`) that the manifest does not record as
//! equivalent. Reminders (exit status still 0): placeholder text `dev new` left.

use super::PLACEHOLDER;
use super::mutants;
use super::new::update_matrix;
use anyhow::Context;
use racelab_grader::build::cargo_binary;
use racelab_grader::lab::Lab;
use racelab_grader::manifest::{self, Exercise};
use racelab_grader::mutants::results::RESULTS_FILE;
use racelab_grader::stages::StageId;
use racelab_grader::{matrix, process};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Where measured detection rates are recorded.
const RATES: &str = "docs/detection-rates.md";

/// The stages whose verdict depends on how the OS runs real threads, and the words a
/// rates section's heading uses for each: a claim that they catch a bug needs figures.
const MEASURED_STAGES: [(StageId, &[&str]); 2] = [
    (StageId::Stress, &["stress"]),
    (StageId::Tsan, &["ThreadSanitizer", "tsan"]),
];

/// How long `cargo metadata` may take.
const METADATA_TIMEOUT: Duration = Duration::from_secs(60);

/// One finding, about one exercise or the lab as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    /// The exercise's id, or `lab`.
    about: String,
    /// What is wrong, and how to put it right.
    what: String,
}

/// Checks the lab, with the last mutants results of `dev mutants`; returns the exit
/// status.
pub(super) fn run(
    lab: &Lab,
    fix: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let results = mutants::default_out(lab).join(RESULTS_FILE);
    run_with(lab, fix, &results, out, err)
}

/// Checks the lab, with the mutants results file at `mutants_results`.
fn run_with(
    lab: &Lab,
    fix: bool,
    mutants_results: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<i32> {
    let members = workspace_members(&lab.root);
    let rates = std::fs::read_to_string(lab.root.join(RATES)).unwrap_or_default();
    let mut problems = Vec::new();
    let mut reminders = Vec::new();
    let mut seen = BTreeSet::new();
    for exercise in &lab.manifest.exercises {
        for key in [&exercise.id, &exercise.name] {
            if !seen.insert(key.clone()) {
                problems.push(finding(
                    exercise,
                    format!("`{key}` is used by two exercises"),
                ));
            }
        }
        problems.extend(check_exercise(lab, exercise, members.as_ref().ok(), &rates));
        reminders.extend(placeholders(lab, exercise));
    }
    problems.extend(
        mutants::unexplained_survivors(lab, mutants_results)
            .into_iter()
            .chain(racelab_grader::mutants::stale_records(lab))
            .map(|(about, what)| Finding { about, what }),
    );
    if let Err(why) = &members {
        problems.push(Finding {
            about: "lab".into(),
            what: format!("cargo cannot list the workspace's crates: {why}"),
        });
    }
    match readme_matrix_is_current(lab) {
        Ok(true) => {}
        Ok(false) if fix => {
            update_matrix(&lab.root)?;
            writeln!(
                out,
                "README.md: the detector matrix was rewritten from the manifest"
            )?;
        }
        Ok(false) => problems.push(Finding {
            about: "lab".into(),
            what: "README.md's detector matrix is out of date with grader/exercises.toml: \
                   run `cargo xtask dev check --fix`"
                .into(),
        }),
        Err(why) => problems.push(Finding {
            about: "lab".into(),
            what: why,
        }),
    }

    let exercises = lab.manifest.exercises.len();
    let mut text = String::new();
    for problem in &problems {
        text.push_str(&format!("  {:<6}{}\n", problem.about, problem.what));
    }
    if !reminders.is_empty() {
        text.push_str(&format!("Placeholders still to write (`{PLACEHOLDER}`):\n"));
        for reminder in &reminders {
            text.push_str(&format!("  {:<6}{}\n", reminder.about, reminder.what));
        }
    }
    let verdict = match problems.len() {
        0 => format!("dev check: {exercises} exercise(s), nothing missing or inconsistent\n"),
        n => format!("dev check: {exercises} exercise(s), {n} problem(s)\n"),
    };
    if problems.is_empty() {
        write!(out, "{verdict}{text}")?;
        Ok(0)
    } else {
        write!(err, "{verdict}{text}")?;
        Ok(1)
    }
}

fn finding(exercise: &Exercise, what: String) -> Finding {
    Finding {
        about: exercise.id.clone(),
        what,
    }
}

/// Everything wrong with one exercise.
fn check_exercise(
    lab: &Lab,
    exercise: &Exercise,
    members: Option<&BTreeSet<PathBuf>>,
    rates: &str,
) -> Vec<Finding> {
    let mut problems = Vec::new();
    let mut say = |what: String| problems.push(finding(exercise, what));
    // A crate that must not compile (`shipped.compiles = false`) stays out of the
    // workspace, or `cargo test --workspace` cannot build; every other one is in it.
    let check_crate = |dir: &str, what: &str, member: bool, say: &mut dyn FnMut(String)| {
        let path = lab.root.join(dir);
        for file in ["Cargo.toml", "src/lib.rs"] {
            if !path.join(file).is_file() {
                say(format!("{what} {dir} has no {file}"));
            }
        }
        let Some(members) = members.filter(|_| path.join("Cargo.toml").is_file()) else {
            return;
        };
        match (member, members.contains(&canonical(&path))) {
            (true, false) => say(format!(
                "{what} {dir} is not a member of the cargo workspace (Cargo.toml's `members` globs)"
            )),
            (false, true) => say(format!(
                "{what} {dir} does not compile as shipped (`shipped.compiles = false`), so it must be left out of the cargo workspace (Cargo.toml's `exclude`)"
            )),
            _ => {}
        }
    };
    check_crate(
        &exercise.dir,
        "the crate",
        exercise.shipped.compiles,
        &mut say,
    );
    if !lab.exercise_dir(exercise).join("README.md").is_file() {
        say(format!("{} has no README.md", exercise.dir));
    }
    let scenario = lab.scenario_path(exercise);
    if !scenario.is_file() {
        say(format!(
            "the scenario grader/{} does not exist",
            exercise.scenario
        ));
    }
    if exercise.solutions.is_empty() {
        say(format!(
            "no reference solution: add a crate under solutions/{}/",
            exercise.name
        ));
    }
    for solution in &exercise.solutions {
        check_crate(solution, "the solution", true, &mut say);
    }
    if let Err(problem) = manifest::check_fixes(&exercise.hints, &lab.root) {
        say(problem);
    }
    if exercise.hints.iter().all(|h| h.text.trim().is_empty()) {
        say("no hints: give `hints` at least one".into());
    }
    for (stage, words) in MEASURED_STAGES {
        if exercise.shipped.caught_by.contains(&stage)
            && !has_rates_note(rates, &exercise.id, words)
        {
            say(format!(
                "`shipped.caught_by` claims {stage} catches the bug, but {RATES} has no \
                 `## {} … {}` section with the rates measured",
                exercise.id, words[0]
            ));
        }
    }
    problems
}

/// Whether `rates` has a heading naming exercise `id` and one of `words` (a stage).
fn has_rates_note(rates: &str, id: &str, words: &[&str]) -> bool {
    rates.lines().any(|line| {
        line.starts_with("## ")
            && line.split_whitespace().nth(1) == Some(id)
            && words.iter().any(|w| line.contains(w))
    })
}

/// The placeholders `dev new` left in the exercise's files and manifest entry.
fn placeholders(lab: &Lab, exercise: &Exercise) -> Vec<Finding> {
    let mut places: Vec<String> = Vec::new();
    if exercise.hints.iter().any(|h| h.text.contains(PLACEHOLDER)) {
        places.push("hints".into());
    }
    for (stage, why) in &exercise.shipped.blind {
        if why.contains(PLACEHOLDER) {
            places.push(format!("shipped.blind.{stage}"));
        }
    }
    let scenario = format!("grader/{}", exercise.scenario);
    let files = [
        format!("{}/src/lib.rs", exercise.dir),
        format!("{}/README.md", exercise.dir),
        format!("{}/Cargo.toml", exercise.dir),
        scenario,
    ]
    .into_iter()
    .chain(exercise.solutions.iter().map(|s| format!("{s}/src/lib.rs")));
    for file in files {
        if std::fs::read_to_string(lab.root.join(&file)).is_ok_and(|t| t.contains(PLACEHOLDER)) {
            places.push(file);
        }
    }
    if places.is_empty() {
        return Vec::new();
    }
    vec![finding(exercise, places.join(", "))]
}

/// Whether README.md's matrix is the one generated from the manifest (the same
/// comparison `tests/matrix.rs` makes).
fn readme_matrix_is_current(lab: &Lab) -> Result<bool, String> {
    let readme = std::fs::read_to_string(lab.root.join("README.md"))
        .map_err(|e| format!("cannot read README.md: {e}"))?;
    let Some(section) = matrix::section(&readme) else {
        return Err(format!(
            "README.md lacks the lines `{}` and `{}` around the detector matrix",
            matrix::START_MARKER,
            matrix::END_MARKER
        ));
    };
    Ok(section == matrix::table(&lab.manifest).trim_matches('\n'))
}

/// The folders of the workspace's member crates, as cargo sees them.
fn workspace_members(root: &Path) -> Result<BTreeSet<PathBuf>, String> {
    let mut command = Command::new(cargo_binary());
    command
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"));
    let finished = process::run(command, METADATA_TIMEOUT, 16 << 20)
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if finished.timed_out {
        return Err(format!(
            "cargo metadata did not finish within {} s",
            METADATA_TIMEOUT.as_secs()
        ));
    }
    if !finished.succeeded() {
        let first = finished
            .stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("cargo metadata failed");
        return Err(first.trim().to_owned());
    }
    let metadata: serde_json::Value = serde_json::from_str(&finished.stdout)
        .context("cargo metadata printed something that is not JSON")
        .map_err(|e| format!("{e:#}"))?;
    Ok(metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|package| package["manifest_path"].as_str())
        .filter_map(|manifest| Path::new(manifest).parent().map(canonical))
        .collect())
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{has_rates_note, run_with};
    use racelab_grader::lab::Lab;
    use std::path::Path;

    /// A results file of one ex01 mutant that ended as `outcome`.
    fn results(outcome: &str) -> String {
        format!(
            "schema = 1\n[[mutants]]\nexercise = \"ex01\"\nsolution = \"solutions/ex01-lost-update/atomic\"\noperator = \"weaken-ordering\"\nsite = \"40:9\"\nname = \"atomic-weaken-ordering-1\"\noutcome = \"{outcome}\"\ndiff = \"-a\\n+b\\n\"\n"
        )
    }

    #[test]
    fn an_unexplained_survivor_in_the_last_mutants_results_fails_the_check() {
        let lab = Lab::open(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.toml");
        let check = |text: &str| {
            std::fs::write(&path, text).unwrap();
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let status = run_with(&lab, false, &path, &mut out, &mut err).unwrap();
            (status, String::from_utf8(err).unwrap())
        };
        let (status, err) = check(&results("survived"));
        assert_eq!(status, 1, "{err}");
        assert!(
            err.contains("atomic-weaken-ordering-1") && err.contains("40:9"),
            "{err}"
        );
        assert_eq!(check(&results("killed")), (0, String::new()));
        let (status, err) = check("schema = 7\n");
        assert_eq!(status, 1);
        assert!(err.contains("not a mutants results file"), "{err}");
    }

    #[test]
    fn a_rates_note_is_a_heading_naming_the_exercise_and_the_stage() {
        let rates = "# Detection rates\n\n## ex02 — the overdrawn payout, stress stage\n\n\
                     ## ex03 — the flag flip, ThreadSanitizer\nex01 stress in passing\n";
        assert!(has_rates_note(rates, "ex02", &["stress"]));
        assert!(has_rates_note(rates, "ex03", &["ThreadSanitizer", "tsan"]));
        assert!(!has_rates_note(rates, "ex02", &["ThreadSanitizer", "tsan"]));
        assert!(!has_rates_note(rates, "ex01", &["stress"]));
        assert!(!has_rates_note(rates, "ex0", &["stress"]));
    }
}
