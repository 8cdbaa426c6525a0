//! The GitHub Actions recipe, `docs/ci/github-actions.yml`, run step by step as a
//! plain user on a fresh machine: a copy of the workspace with one student's correct
//! fix under `submissions/`, a rustup home holding stable only, no sudo. Every `run`
//! step must succeed in order, and the fix must pass with ThreadSanitizer run.
//!
//! Ignored by default: it needs rustup's network channel and several minutes of
//! builds. Run as root, it becomes a plain user (`RACELAB_CI_UID`, default `nobody`);
//! run as a plain user (as `.ci/run` does), it runs as that user. Run it with
//! `cargo test -p racelab-tests --test ci_recipe -- --ignored`.

use racelab_grader::StageId;
use racelab_grader::report::{Report, Status};
use racelab_grader::verdict::Verdict;
use racelab_tests::root;
use std::path::Path;
use std::process::Command;
use yaml_rust2::YamlLoader;

/// The plain user the steps run as: `RACELAB_CI_UID` (default 65534, `nobody`).
fn user() -> String {
    std::env::var("RACELAB_CI_UID").unwrap_or_else(|_| "65534".into())
}

/// Whether this test runs as root, and so must become the plain user itself.
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Runs `script` with bash as the plain user in `dir`, with `env` only; returns whether
/// it succeeded and what it printed. As root, it becomes [`user`]; as a plain user
/// (`.ci/run` runs the tests as one), it runs as that user.
fn as_user(script: &str, dir: &Path, env: &[(&str, String)]) -> (bool, String) {
    let bash = ["bash", "-eo", "pipefail", "-c", script];
    let mut command = if is_root() {
        let uid = user();
        let mut command = Command::new("setpriv");
        command.args([
            &format!("--reuid={uid}"),
            &format!("--regid={uid}"),
            "--clear-groups",
            "--",
        ]);
        command.args(bash);
        command
    } else {
        let mut command = Command::new(bash[0]);
        command.args(&bash[1..]);
        command
    };
    let output = command
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v)))
        .output()
        .expect("setpriv runs");
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), said)
}

fn sh(script: &str) {
    let status = Command::new("sh").args(["-c", script]).status().unwrap();
    assert!(status.success(), "{script}");
}

#[test]
#[ignore = "needs root, rustup's network channel and minutes: run with --ignored"]
fn the_github_actions_recipe_passes_a_correct_fix_as_a_plain_user() {
    let machine = tempfile::tempdir().unwrap();
    let base = machine.path().to_owned();
    let (home, workspace) = (base.join("home"), base.join("work"));
    let cargo_home = home.join(".cargo");
    std::fs::create_dir_all(cargo_home.join("bin")).unwrap();
    std::fs::create_dir_all(&workspace).unwrap();
    // A copy of the workspace, as actions/checkout leaves it, and one student.
    sh(&format!(
        "tar -C '{}' --exclude=./target --exclude=./.git -cf - . | tar -C '{}' -xf -",
        root().display(),
        workspace.display()
    ));
    let student = workspace.join("submissions/student");
    sh(&format!(
        "mkdir -p '{0}' && cp -r '{1}/Cargo.toml' '{1}/src' '{0}/'",
        student.display(),
        root().join("solutions/ex01-lost-update/atomic").display()
    ));
    // rustup, as its installer leaves it, with no toolchain yet.
    let rustup = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v rustup"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    sh(&format!(
        "cp -L '{}' '{1}/rustup' && for t in cargo rustc rustdoc; do ln -s rustup '{1}/'$t; done",
        rustup.trim(),
        cargo_home.join("bin").display()
    ));
    if is_root() {
        sh(&format!(
            "chmod 755 '{}' && chown -R {uid}:{uid} '{}'",
            base.display(),
            base.display(),
            uid = user()
        ));
    }
    let output = base.join("github_output");
    let env = [
        ("HOME", home.display().to_string()),
        ("CARGO_HOME", cargo_home.display().to_string()),
        ("RUSTUP_HOME", home.join(".rustup").display().to_string()),
        (
            "PATH",
            format!("{}:/usr/bin:/bin", cargo_home.join("bin").display()),
        ),
        ("GITHUB_OUTPUT", output.display().to_string()),
        ("GITHUB_WORKSPACE", workspace.display().to_string()),
    ];
    let (ok, said) = as_user(
        "test \"$(id -u)\" != 0 && ! sudo -n true 2>/dev/null && rustup toolchain install stable --profile minimal --no-self-update && rustup toolchain list",
        &workspace,
        &env,
    );
    assert!(ok, "a plain user with stable only:\n{said}");
    assert!(!said.contains("nightly"), "{said}");

    let text = std::fs::read_to_string(root().join("docs/ci/github-actions.yml")).unwrap();
    let workflow = YamlLoader::load_from_str(&text).unwrap().remove(0);
    let steps = workflow["jobs"]["grade"]["steps"].as_vec().unwrap();
    let runs: Vec<(String, String)> = steps
        .iter()
        .filter_map(|s| {
            let run = s["run"].as_str()?;
            let name = s["name"].as_str().unwrap_or(run).to_owned();
            // `>` folds a step into one line already; `|` steps are scripts.
            Some((name, run.to_owned()))
        })
        .collect();
    assert!(runs.len() >= 4, "{runs:?}");
    for (name, run) in &runs {
        let (ok, said) = as_user(run, &workspace, &env);
        assert!(ok, "step `{name}` failed:\n{run}\n{said}");
    }
    let report = Report::read(&workspace.join("target/racelab/batch/ex01/student.toml")).unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{report:#?}");
    let tsan = report.stage(StageId::Tsan).unwrap();
    assert_eq!(tsan.status, Status::Pass);
    let backend = tsan.evidence.backend.clone().unwrap_or_default();
    assert!(backend.contains("rustup nightly"), "{backend}");
}
