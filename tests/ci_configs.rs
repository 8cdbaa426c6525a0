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
        let code = code
            .join("\n")
            .replace("\"${WHICH[@]}\"", "ex01")
            .replace("$EXERCISE", "ex01");
        let commands = xtask_commands(&code);
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

/// Every GitHub Actions workflow in docs/ci/: (file name, document).
fn github_workflows() -> Vec<(String, Yaml)> {
    let found: Vec<(String, Yaml)> = configs()
        .into_iter()
        .filter(|(name, _)| name.starts_with("github-"))
        .collect();
    assert!(found.len() >= 4, "{} GitHub workflows", found.len());
    found
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
    for (name, workflow) in github_workflows() {
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

/// The steps of every job of a GitHub workflow: (job name, steps).
fn jobs_steps(workflow: &Yaml) -> Vec<(String, Vec<Yaml>)> {
    workflow["jobs"]
        .as_hash()
        .expect("jobs")
        .iter()
        .map(|(job, body)| {
            let steps = body["steps"].as_vec().expect("steps").clone();
            (job.as_str().unwrap().to_owned(), steps)
        })
        .collect()
}

fn uses(step: &Yaml, action: &str) -> bool {
    step["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with(&format!("{action}@")))
}

#[test]
fn github_caches_are_restored_and_saved_apart_always_by_month_and_every_job_has_a_timeout() {
    for (name, workflow) in github_workflows() {
        for (job, steps) in jobs_steps(&workflow) {
            let body = &workflow["jobs"][job.as_str()];
            let minutes = body["timeout-minutes"].as_i64();
            assert!(
                minutes.is_some_and(|m| (10..=360).contains(&m)),
                "{name}: job {job} needs timeout-minutes (a number), has {:?}",
                body["timeout-minutes"]
            );
            assert!(
                !steps.iter().any(|s| uses(s, "actions/cache")),
                "{name}: {job} uses actions/cache, which saves only when the job succeeds"
            );
            let restore = steps.iter().find(|s| uses(s, "actions/cache/restore"));
            let save = steps.iter().find(|s| uses(s, "actions/cache/save"));
            let Some(restore) = restore else {
                assert!(
                    save.is_none(),
                    "{name}: {job} saves a cache it never restores"
                );
                continue;
            };
            let key = restore["with"]["key"].as_str().expect("a key");
            assert!(
                key.contains("steps.key.outputs.month") && key.contains("hashFiles("),
                "{name}: {job}: the key changes with the month and the grader: {key}"
            );
            let restore_keys = restore["with"]["restore-keys"].as_str().unwrap_or_default();
            assert!(
                restore_keys.contains("steps.key.outputs.month"),
                "{name}: {job}: restore-keys fall back within the month"
            );
            let save = save.unwrap_or_else(|| panic!("{name}: {job} restores but never saves"));
            assert_eq!(save["with"]["key"].as_str(), Some(key), "{name}: {job}");
            assert_eq!(
                save["with"]["path"], restore["with"]["path"],
                "{name}: {job}"
            );
            let condition = save["if"].as_str().unwrap_or_default();
            assert!(
                condition.contains("always()"),
                "{name}: {job}: the cache is saved even when students fail: {condition}"
            );
            let at = |step: &Yaml| steps.iter().position(|s| s == step).unwrap();
            let prune = steps
                .iter()
                .position(|s| {
                    s["run"]
                        .as_str()
                        .is_some_and(|r| r.contains("cargo xtask clean"))
                })
                .unwrap_or_else(|| panic!("{name}: {job} caches without pruning"));
            assert!(prune < at(save), "{name}: {job}: pruned before saving");
            assert!(
                steps[prune]["if"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("always()"),
                "{name}: {job}: pruned always"
            );
        }
    }
}

#[test]
fn the_sharded_workflow_grades_8_shards_saves_once_and_merges_every_one() {
    let workflow = config("github-actions-shards.yml");
    let grade = &workflow["jobs"]["grade"];
    let shards: Vec<&str> = grade["strategy"]["matrix"]["shard"]
        .as_vec()
        .expect("a shard matrix")
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    let n = shards.len();
    assert!(n >= 8, "{n} shards");
    let expected: Vec<String> = (1..=n).map(|k| format!("{k}/{n}")).collect();
    assert_eq!(shards, expected);
    let steps = grade["steps"].as_vec().unwrap();
    let save = steps
        .iter()
        .find(|s| uses(s, "actions/cache/save"))
        .unwrap();
    assert!(
        save["if"]
            .as_str()
            .unwrap()
            .contains(&format!("matrix.shard == '1/{n}'")),
        "one shard saves the cache"
    );
    let merge = &workflow["jobs"]["merge"];
    assert_eq!(
        merge["if"].as_str(),
        Some("always()"),
        "merge names what is missing"
    );
    let run = merge["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find_map(|s| {
            s["run"]
                .as_str()
                .filter(|r| r.contains("cargo xtask merge"))
        })
        .expect("a merge step");
    for k in 1..=n {
        assert!(
            run.contains(&format!("shards/shard-{k}-{n} ")),
            "shard {k}: {run}"
        );
    }
}

/// The scripts that run a batch (`cargo xtask grade --submissions`, `merge`), from
/// every recipe: (where, script).
fn batch_scripts() -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (name, config) in configs() {
        let mut texts = Vec::new();
        strings(&config, &mut texts);
        for text in texts {
            let batch = text.contains("cargo xtask merge")
                || (text.contains("cargo xtask grade") && text.contains("--submissions"));
            if batch && text.contains('\n') {
                found.push((name.clone(), with_a_shard(&text)));
            }
        }
    }
    found
}

/// Runs `script` in a fresh folder with `cargo` standing for a grader that exits
/// `status` and, with `error`, leaves a summary in which a subject is an `error`.
fn run_with_grader(script: &str, status: i32, error: bool) -> bool {
    let dir = tempfile::tempdir().unwrap();
    if error {
        let summary = script
            .split("'^verdict = \"error\"' ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the script reads the summary for a subject in error")
            .replace("$CI_NODE_INDEX", "1");
        let path = dir.path().join(summary);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            "verdict = \"fail\"\n\n[[subjects]]\nverdict = \"error\"\n",
        )
        .unwrap();
    }
    let fake = format!("cargo() {{ return {status}; }}\n{script}");
    std::process::Command::new("bash")
        .args(["-e", "-c", &fake])
        .current_dir(dir.path())
        .env("CI_NODE_INDEX", "1")
        .env("CI_NODE_TOTAL", "8")
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn a_students_failure_passes_the_job_and_a_grader_crash_fails_it() {
    let scripts = batch_scripts();
    let names: Vec<&str> = scripts.iter().map(|(n, _)| n.as_str()).collect();
    for recipe in [
        "github-actions.yml",
        "github-actions-shards.yml",
        "gitlab-ci.yml",
    ] {
        assert!(names.contains(&recipe), "{recipe}: {names:?}");
    }
    for (name, script) in &scripts {
        assert!(
            !script.contains("|| true"),
            "{name} hides a crash: {script}"
        );
        for status in [0, 1] {
            assert!(
                run_with_grader(script, status, false),
                "{name}: exit {status}"
            );
        }
        // A usage error, an incomplete grade, a panic, a kill.
        for status in [2, 3, 101, 137] {
            assert!(
                !run_with_grader(script, status, false),
                "{name}: exit {status}"
            );
        }
        if !script.contains("cargo xtask merge") {
            assert!(
                !run_with_grader(script, 1, true),
                "{name}: a subject the grader could not judge hides behind exit 1"
            );
        }
    }
}

#[test]
fn gitlab_saves_its_cache_always_keeps_nightly_and_merges_every_shard() {
    let pipeline = config("gitlab-ci.yml");
    let base = &pipeline[".racelab"];
    assert_eq!(base["cache"]["when"].as_str(), Some("always"));
    let paths: Vec<&str> = base["cache"]["paths"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    let rustup_home = base["variables"]["RUSTUP_HOME"].as_str().unwrap();
    let inside = rustup_home.trim_start_matches("$CI_PROJECT_DIR/");
    assert!(
        paths.contains(&format!("{inside}/toolchains").as_str()),
        "nightly is cached: {paths:?}"
    );
    let jobs = pipeline.as_hash().unwrap();
    for (job, body) in jobs {
        let job = job.as_str().unwrap();
        if body["script"].is_badvalue() {
            continue;
        }
        assert!(body["timeout"].as_str().is_some(), "{job} needs a timeout");
    }
    let shards = pipeline["grade-class-sharded"]["parallel"]
        .as_i64()
        .unwrap();
    assert!(shards >= 8, "{shards} shards");
    let merge = pipeline["merge-shards"]["script"][0].as_str().unwrap();
    for k in 1..=shards {
        assert!(
            merge.contains(&format!("out/shard-{k} ")),
            "shard {k}: {merge}"
        );
    }
    assert_eq!(pipeline["merge-shards"]["when"].as_str(), Some("always"));
}

#[test]
fn gradescope_installs_a_linker_and_takes_the_exercise_as_a_parameter() {
    let dir = root().join("docs/ci");
    let setup = std::fs::read_to_string(dir.join("gradescope-setup.sh")).unwrap();
    assert!(
        setup.contains("apt-get install") && setup.contains("build-essential"),
        "setup.sh installs a C linker"
    );
    let run = std::fs::read_to_string(dir.join("gradescope-run_autograder.sh")).unwrap();
    assert!(
        !run.lines()
            .any(|l| l.trim_start().starts_with("EXERCISE=ex")),
        "the exercise is a parameter"
    );
    assert!(
        run.contains("/autograder/source/exercise"),
        "read from the zip"
    );
    assert!(run.contains("/autograder/results/results.json"));
}

#[test]
fn the_classroom_grade_comes_from_the_instructors_side() {
    let instructor = config("github-classroom-instructor.yml");
    assert!(
        !instructor["on"]["schedule"].is_badvalue(),
        "a scheduled job in the instructor's repository"
    );
    let steps = instructor["jobs"]["grade"]["steps"].as_vec().unwrap();
    assert!(steps.iter().any(|s| {
        s["run"]
            .as_str()
            .is_some_and(|r| r.contains("gh repo clone") && r.contains("--before="))
    }));
    // The students' own autograding checks out nothing private and says what it
    // does not protect.
    let feedback = config("github-classroom.yml");
    for (_, steps) in jobs_steps(&feedback) {
        for step in steps {
            assert!(step["with"]["repository"].is_badvalue(), "{step:?}");
            assert!(step["with"]["token"].is_badvalue(), "{step:?}");
        }
    }
    let text = std::fs::read_to_string(root().join("docs/ci/github-classroom.yml")).unwrap();
    assert!(text.contains("What it does not protect"), "say it plainly");
}
