//! The example CI configurations in `docs/ci/` are valid YAML, have the shape their CI
//! system needs, and name only `cargo xtask` commands and options that exist: each
//! command line they run is parsed by the real command line, with `--help` added so
//! that nothing is graded.

use racelab_tests::root;
use std::ffi::OsString;
use std::path::PathBuf;
use yaml_rust2::{Yaml, YamlLoader};

/// Every file in docs/ci/, parsed: (file name, document).
fn configs() -> Vec<(String, Yaml)> {
    let dir = root().join("docs/ci");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no CI examples in {}", dir.display());
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut documents = YamlLoader::load_from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
            assert_eq!(documents.len(), 1, "{}: one document", path.display());
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, documents.remove(0))
        })
        .collect()
}

/// Every string in a YAML tree.
fn strings(yaml: &Yaml, found: &mut Vec<String>) {
    match yaml {
        Yaml::String(s) => found.push(s.clone()),
        Yaml::Array(items) => items.iter().for_each(|i| strings(i, found)),
        Yaml::Hash(map) => map.iter().for_each(|(k, v)| {
            strings(k, found);
            strings(v, found);
        }),
        _ => {}
    }
}

/// The words after each `cargo xtask` in `text`, up to the end of its shell command
/// (a line, with `\` continuations, or `&&`, `||`, `;`, `|`, `)`).
fn xtask_commands(text: &str) -> Vec<Vec<String>> {
    let joined = text.replace("\\\n", " ");
    joined
        .lines()
        .flat_map(|line| line.split("cargo xtask").skip(1))
        .map(|rest| {
            let end = rest.find(['&', '|', ';', ')']).unwrap_or(rest.len());
            rest[..end]
                .split_whitespace()
                .map(|w| w.trim_matches(['"', '\'']).to_owned())
                .collect()
        })
        .collect()
}

/// `text` with the CI systems' variables for a shard standing for one.
fn with_a_shard(text: &str) -> String {
    text.replace("${{ matrix.shard }}", "1/4")
        .replace("$CI_NODE_INDEX/$CI_NODE_TOTAL", "1/4")
}

/// Runs `cargo xtask <words> --help` in-process; returns (exit code, output).
fn help_for(words: &[String]) -> (i32, String) {
    let argv = std::iter::once("xtask".to_owned())
        .chain(words.iter().cloned())
        .chain(["--help".to_owned()])
        .map(OsString::from);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = xtask::run_in(&root(), argv, &mut out, &mut err);
    let text = String::from_utf8_lossy(&out).into_owned() + &String::from_utf8_lossy(&err);
    (code, text)
}

#[test]
fn every_example_names_only_commands_and_options_that_exist() {
    for (name, config) in configs() {
        let mut texts = Vec::new();
        strings(&config, &mut texts);
        let commands: Vec<Vec<String>> = texts
            .iter()
            .flat_map(|t| xtask_commands(&with_a_shard(t)))
            .collect();
        assert!(!commands.is_empty(), "{name} runs no cargo xtask command");
        for words in commands {
            let (code, output) = help_for(&words);
            assert_eq!(
                code,
                0,
                "{name}: `cargo xtask {}` is not a valid command line:\n{output}",
                words.join(" ")
            );
            assert!(output.contains("Usage:"), "{name}: {output}");
        }
    }
}

#[test]
fn the_gradescope_script_names_only_commands_and_options_that_exist() {
    let dir = root().join("docs/ci");
    let mut scripts = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sh") {
            continue;
        }
        scripts += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        // Shell variables stand for an exercise id here.
        let code: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect();
        let commands = xtask_commands(&code.join("\n").replace("$EXERCISE", "ex01"));
        assert!(
            !commands.is_empty(),
            "{} runs no cargo xtask command",
            path.display()
        );
        for words in commands {
            let (code, output) = help_for(&words);
            assert_eq!(
                code,
                0,
                "{}: `cargo xtask {}`:\n{output}",
                path.display(),
                words.join(" ")
            );
        }
    }
    assert!(scripts > 0, "no shell scripts in {}", dir.display());
}

#[test]
fn a_command_that_does_not_exist_is_caught() {
    for words in [
        vec!["grade-class".to_owned()],
        vec![
            "grade".into(),
            "--all".into(),
            "--submission".into(),
            "s".into(),
        ],
    ] {
        assert_ne!(help_for(&words).0, 0, "{words:?}");
    }
    assert_eq!(
        xtask_commands("cd racelab && cargo xtask grade ex01 --jobs 2 && echo done"),
        [vec!["grade", "ex01", "--jobs", "2"]]
    );
    assert_eq!(
        xtask_commands("cargo xtask grade \\\n  --all\necho cargo xtask list"),
        [vec!["grade", "--all"], vec!["list"]]
    );
}

fn config(name: &str) -> Yaml {
    configs()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("docs/ci/{name} is missing"))
        .1
}

/// The value of `--junit` in a command line.
fn junit_path(command: &str) -> Option<String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "--junit")?;
    words.get(at + 1).map(|w| w.to_string())
}

#[test]
fn github_workflows_have_jobs_with_steps_and_the_classroom_reporter_hears_every_test() {
    for name in ["github-actions.yml", "github-classroom.yml"] {
        let workflow = config(name);
        assert!(!workflow["on"].is_badvalue(), "{name}: no `on`");
        let jobs = workflow["jobs"].as_hash().expect("jobs");
        for (job, body) in jobs {
            assert!(
                body["runs-on"].as_str().is_some(),
                "{name}: {job:?} runs-on"
            );
            let steps = body["steps"].as_vec().expect("steps");
            for step in steps {
                let uses = step["uses"].as_str().is_some();
                let runs = step["run"].as_str().is_some();
                assert!(uses != runs, "{name}: a step has `uses` or `run`: {step:?}");
            }
        }
    }
    let classroom = config("github-classroom.yml");
    let steps = classroom["jobs"]["autograding"]["steps"].as_vec().unwrap();
    let graders: Vec<&str> = steps
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("classroom-resources/autograding-command-grader"))
        })
        .map(|s| s["id"].as_str().expect("a grader step has an id"))
        .collect();
    let reporter = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("classroom-resources/autograding-grading-reporter"))
        })
        .expect("a reporter step");
    let runners: Vec<&str> = reporter["with"]["runners"]
        .as_str()
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(runners, graders);
    for id in graders {
        let variable = format!("{}_RESULTS", id.to_uppercase());
        let value = reporter["env"][variable.as_str()]
            .as_str()
            .unwrap_or_default();
        assert!(
            value.contains(&format!("steps.{id}.outputs.result")),
            "{variable}"
        );
    }
    // Every exercise of the lab is graded.
    let lab = racelab_grader::lab::Lab::open(&root()).unwrap();
    let ids: Vec<&str> = lab
        .manifest
        .exercises
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(runners, ids);
}

#[test]
fn gitlab_reads_the_junit_file_the_job_writes() {
    let pipeline = config("gitlab-ci.yml");
    let job = &pipeline["grade-class"];
    let script: Vec<&str> = job["script"]
        .as_vec()
        .expect("a script")
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    let written = script.iter().find_map(|c| junit_path(c)).expect("--junit");
    assert_eq!(
        job["artifacts"]["reports"]["junit"].as_str(),
        Some(written.as_str())
    );
    assert_eq!(job["artifacts"]["when"].as_str(), Some("always"));
    let stages: Vec<&str> = pipeline["stages"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    assert!(stages.contains(&job["stage"].as_str().unwrap()));
}
