//! Grading a class, end to end through the command line: `cargo xtask grade ex01
//! --submissions DIR` over a folder with a passing, a failing, a non-compiling, an
//! untouched (the shipped crate) and an empty submission, and a whole copy of the
//! workspace whose own manifest and scenario were rigged to pass. Checks the class summary's counts, the JUnit file (parsed),
//! Gradescope's results.json (parsed), what the reports record, and the exit status.
//!
//! To keep the time sane the batch runs loom and shuttle only (`--stage`); the other
//! stages must then be `skipped`, and with `--require` a skipped required stage fails.

use racelab_grader::StageId;
use racelab_grader::batch::Summary;
use racelab_grader::integrity;
use racelab_grader::report::{Report, Status};
use racelab_grader::verdict::Verdict;
use racelab_tests::{root, xtask};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Copies the crate at `from` (relative to the workspace) to `to`: its Cargo.toml and
/// src/.
fn copy_crate(from: &str, to: &Path) {
    let from = root().join(from);
    fs::create_dir_all(to.join("src")).unwrap();
    fs::copy(from.join("Cargo.toml"), to.join("Cargo.toml")).unwrap();
    for entry in fs::read_dir(from.join("src")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join("src").join(entry.file_name())).unwrap();
    }
}

/// Changes the crate at `dir` as a student who tried nothing would: a comment, so its
/// sources are no longer the shipped crate's and it is graded.
fn touch_up(dir: &Path) {
    let lib = dir.join("src/lib.rs");
    let mut source = fs::read_to_string(&lib).unwrap();
    source.push_str("\n// I looked at it.\n");
    fs::write(lib, source).unwrap();
}

/// The class: one subfolder per student, and a stray file that is no submission.
fn class() -> tempfile::TempDir {
    let class = tempfile::tempdir().unwrap();
    let dir = class.path();
    copy_crate("solutions/ex01-lost-update/atomic", &dir.join("passing"));
    copy_crate("exercises/ex01-lost-update", &dir.join("failing"));
    touch_up(&dir.join("failing"));
    copy_crate("exercises/ex01-lost-update", &dir.join("untouched"));
    copy_crate("exercises/ex01-lost-update", &dir.join("broken"));
    let lib = dir.join("broken/src/lib.rs");
    let source = fs::read_to_string(&lib).unwrap();
    let broken = source.replace(
        "let total = total + amount_paise;",
        "let total = total + amount_paise",
    );
    assert_ne!(
        source, broken,
        "the exercise no longer has the line to break"
    );
    fs::write(&lib, broken).unwrap();
    fs::create_dir_all(dir.join("empty")).unwrap();
    // A copy of the whole workspace with the shipped (racy) crate, whose own manifest
    // and scenario were rigged so that nothing could fail: the grader must use its own.
    let copy = dir.join("workspace-copy");
    copy_crate(
        "exercises/ex01-lost-update",
        &copy.join("exercises/ex01-lost-update"),
    );
    touch_up(&copy.join("exercises/ex01-lost-update"));
    fs::write(
        copy.join("Cargo.toml"),
        "[workspace]\nmembers = [\"exercises/*\"]\n",
    )
    .unwrap();
    fs::create_dir_all(copy.join("grader/scenarios")).unwrap();
    let manifest = fs::read_to_string(root().join("grader/exercises.toml"))
        .unwrap()
        .replace("iterations = 2000", "iterations = 1")
        .replace("preemption_bound = 3", "preemption_bound = 0");
    fs::write(copy.join("grader/exercises.toml"), manifest).unwrap();
    fs::write(
        copy.join("grader/scenarios/ex01_lost_update.rs"),
        "pub fn round(_: racelab_harness::Size) -> racelab_harness::Outcome { todo!() }\n",
    )
    .unwrap();
    fs::write(dir.join("notes.txt"), "not a submission").unwrap();
    class
}

/// An XML element: its name, attributes, children and text.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn one(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn attribute(&self, key: &str) -> &str {
        self.attributes
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("<{}> has no {key}", self.name))
    }
}

/// Parses `xml` into its root element (with quick-xml), failing on malformed XML.
fn parse_xml(xml: &str) -> Element {
    use quick_xml::XmlVersion::Implicit1_0;
    use quick_xml::events::{BytesStart, Event};
    let element = |e: &BytesStart| Element {
        name: e.name().as_ref().to_owned(),
        attributes: e
            .attributes()
            .map(|a| {
                let a = a.expect("a well-formed attribute");
                let value = a.normalized_value(Implicit1_0).expect("a valid value");
                (a.key.as_ref().to_owned(), value.into_owned())
            })
            .collect(),
        ..Element::default()
    };
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut open = vec![Element::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => open.push(element(&e)),
            Event::Empty(e) => open.last_mut().unwrap().children.push(element(&e)),
            Event::End(_) => {
                let done = open.pop().unwrap();
                open.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => open
                .last_mut()
                .unwrap()
                .text
                .push_str(&t.xml_content(Implicit1_0)),
            Event::CData(t) => open
                .last_mut()
                .unwrap()
                .text
                .push_str(&t.xml_content(Implicit1_0)),
            Event::GeneralRef(r) => {
                let name = r.xml_content(Implicit1_0);
                let text = match r.resolve_char_ref().expect("a valid reference") {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&name)
                        .unwrap_or_else(|| panic!("unknown entity &{name};"))
                        .to_owned(),
                };
                open.last_mut().unwrap().text.push_str(&text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(open.len(), 1, "unclosed elements");
    open.pop().unwrap().children.pop().expect("a root element")
}

fn stage_statuses(report: &Report) -> Vec<(String, Status)> {
    report
        .stages
        .iter()
        .map(|s| (s.name.as_str().to_owned(), s.status))
        .collect()
}

#[test]
fn a_class_is_graded_into_reports_a_summary_junit_and_gradescope() {
    let class = class();
    let out = tempfile::tempdir().unwrap();
    let (junit, gradescope) = (out.path().join("junit.xml"), out.path().join("gradescope"));
    let (code, stdout, stderr) = xtask(&[
        "grade",
        "ex01",
        "--submissions",
        class.path().to_str().unwrap(),
        "--stage",
        "loom,shuttle",
        "--jobs",
        "2",
        "--out",
        out.path().to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--gradescope",
        gradescope.to_str().unwrap(),
    ]);
    let said = format!("stdout:\n{stdout}\nstderr:\n{stderr}");
    // Any subject failing makes the batch fail.
    assert_eq!(code, 1, "{said}");

    // The summary: the counts per exercise, per stage, and every subject.
    let summary = Summary::read(&out.path().join("summary.toml")).unwrap();
    assert_eq!(summary.verdict, Verdict::Fail);
    assert_eq!(summary.selected, ["loom", "shuttle"]);
    // The class page beside it, and each student's page beside their report
    // (tests/page.rs checks what they show, in a browser).
    assert!(out.path().join("summary.html").is_file(), "{said}");
    for line in &summary.subjects {
        let page = std::path::Path::new(&line.report).with_extension("html");
        assert!(page.is_file(), "no page for {}: {said}", line.name);
    }
    let ex01 = &summary.exercises[..];
    assert_eq!(ex01.len(), 1, "{ex01:?}");
    let counts = (
        ex01[0].subjects,
        ex01[0].passed,
        ex01[0].failed,
        ex01[0].incomplete,
        ex01[0].errored,
    );
    assert_eq!(counts, (6, 0, 3, 1, 0), "{said}");
    // Sent as shipped, or not at all: counted apart, not as failures.
    assert_eq!((ex01[0].unchanged, ex01[0].missing), (1, 1), "{said}");
    let stage = |name: &str| summary.stages.iter().find(|s| s.name == name).unwrap();
    for explorer in ["loom", "shuttle"] {
        let tally = stage(explorer);
        // Caught the racy crate twice (failing, workspace-copy); passed the fix;
        // could not judge the broken one; never ran on the untouched or empty ones.
        assert_eq!(
            (tally.caught, tally.passed, tally.errored, tally.skipped),
            (2, 1, 1, 2),
            "{explorer}: {tally:?}\n{said}"
        );
        assert_eq!(tally.caught_by_exercise.get("ex01"), Some(&2));
    }
    for not_selected in ["stress", "tsan", "spec"] {
        assert_eq!(stage(not_selected).skipped, 6, "{not_selected}");
        assert_eq!(stage(not_selected).ran, 0);
    }
    let names: Vec<&str> = summary.subjects.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "broken",
            "empty",
            "failing",
            "passing",
            "untouched",
            "workspace-copy"
        ]
    );
    let verdicts: Vec<Verdict> = summary.subjects.iter().map(|s| s.verdict).collect();
    use Verdict::{Fail, Incomplete, Missing, Unchanged};
    assert_eq!(verdicts, [Fail, Missing, Fail, Incomplete, Unchanged, Fail]);
    // Answered from the hash of src/, without a build.
    let untouched = &summary.subjects[4];
    assert!(untouched.duration_ms < 1000, "{untouched:?}");
    assert_eq!(untouched.points, 0.0);
    assert!(untouched.same_as.is_empty() && untouched.copy_of.is_none());
    let empty = &summary.subjects[1];
    assert!(
        empty
            .problem
            .as_deref()
            .unwrap_or_default()
            .contains("empty"),
        "{empty:?}"
    );
    let passing = &summary.subjects[3];
    assert_eq!(passing.stages["loom"], Status::Pass);
    assert_eq!(passing.stages["stress"], Status::Skipped);
    assert_eq!(passing.stages["tsan"], Status::Skipped);

    // The reports: one per subject, recording what was graded against what.
    let instructors = integrity::file_hash(&root().join("grader/exercises.toml")).unwrap();
    let reports: BTreeMap<&str, Report> = summary
        .subjects
        .iter()
        .map(|s| (s.name.as_str(), Report::read(Path::new(&s.report)).unwrap()))
        .collect();
    for (name, report) in &reports {
        assert_eq!(report.manifest_hash, instructors, "{name}");
        assert_eq!(report.grader_version, env!("CARGO_PKG_VERSION"), "{name}");
        assert!(report.scenario_hash.starts_with("sha256:"), "{name}");
    }
    let copy = &reports["workspace-copy"];
    assert!(
        copy.subject
            .ends_with("workspace-copy/exercises/ex01-lost-update"),
        "{}",
        copy.subject
    );
    // Its rigged manifest and scenario were not used: it fails like the shipped crate.
    let rigged =
        integrity::file_hash(&class.path().join("workspace-copy/grader/exercises.toml")).unwrap();
    assert_ne!(copy.manifest_hash, rigged);
    assert_eq!(
        stage_statuses(copy),
        stage_statuses(&reports["failing"]),
        "{said}"
    );
    let bounds = copy.stage(StageId::Loom).unwrap().evidence.bounds.clone();
    assert!(
        bounds
            .as_deref()
            .unwrap_or_default()
            .contains("preemption bound 3"),
        "{bounds:?}"
    );
    // The same sources hash alike wherever they are; different ones differ.
    assert_eq!(copy.subject_hash, reports["failing"].subject_hash);
    assert_ne!(
        reports["passing"].subject_hash,
        reports["failing"].subject_hash
    );
    assert_eq!(reports["empty"].subject_hash, "");

    // JUnit: a suite per subject, a case per stage, stable names, evidence.
    let xml = fs::read_to_string(&junit).unwrap();
    let suites = parse_xml(&xml);
    assert_eq!(suites.name, "testsuites");
    assert_eq!(suites.attribute("tests"), "30");
    assert_eq!(suites.attribute("errors"), "0");
    let suite_names: Vec<&str> = suites
        .all("testsuite")
        .map(|s| s.attribute("name"))
        .collect();
    assert_eq!(
        suite_names,
        [
            "ex01/broken",
            "ex01/empty",
            "ex01/failing",
            "ex01/passing",
            "ex01/untouched",
            "ex01/workspace-copy"
        ]
    );
    let suite = |name: &str| {
        suites
            .all("testsuite")
            .find(|s| s.attribute("name") == format!("ex01/{name}"))
            .unwrap()
    };
    let case = |suite_name: &str, stage: &str| {
        suite(suite_name)
            .all("testcase")
            .find(|c| c.attribute("name") == stage)
            .unwrap_or_else(|| panic!("no {stage} in {suite_name}"))
    };
    for s in suites.all("testsuite") {
        let cases: Vec<&str> = s.all("testcase").map(|c| c.attribute("name")).collect();
        assert_eq!(cases, ["loom", "shuttle", "stress", "tsan", "spec"]);
        let class_name = s.all("testcase").next().unwrap().attribute("classname");
        assert!(class_name.starts_with("racelab.ex01."), "{class_name}");
    }
    let failed = case("failing", "loom").one("failure").expect("a failure");
    assert_eq!(failed.attribute("type"), "fail");
    let evidence = &case("failing", "loom").one("system-out").unwrap().text;
    assert!(
        evidence.contains("replay: cargo xtask replay ex01 --stage loom --path"),
        "{evidence}"
    );
    let shuttle = &case("failing", "shuttle").one("system-out").unwrap().text;
    assert!(shuttle.contains("--schedule"), "{shuttle}");
    assert!(case("passing", "loom").one("failure").is_none());
    assert!(case("passing", "shuttle").one("system-out").is_some());
    assert!(case("passing", "stress").one("skipped").is_some());
    let broken = case("broken", "loom").one("failure").unwrap();
    assert_eq!(broken.attribute("type"), "compile-error");
    assert!(broken.text.contains("src/lib.rs:"), "{}", broken.text);
    // Nothing sent, or sent as shipped: skipped, with the reason, not failures.
    for (subject, reason) in [("empty", "not submitted"), ("untouched", "unchanged")] {
        assert_eq!(suite(subject).attribute("failures"), "0");
        assert_eq!(suite(subject).attribute("skipped"), "5");
        let skipped = case(subject, "loom").one("skipped").expect("skipped");
        assert!(
            skipped.attribute("message").starts_with(reason),
            "{subject}: {}",
            skipped.attribute("message")
        );
    }
    assert_eq!(suite("passing").attribute("failures"), "0");
    assert_eq!(suite("passing").attribute("skipped"), "3");
    let properties: BTreeMap<&str, &str> = suite("passing")
        .one("properties")
        .unwrap()
        .all("property")
        .map(|p| (p.attribute("name"), p.attribute("value")))
        .collect();
    assert_eq!(properties["verdict"], "incomplete");
    assert_eq!(properties["subject_hash"], reports["passing"].subject_hash);

    // Gradescope: a results.json per student, in a folder of their own; points by
    // verdict (no pass, so nothing), a test per stage, visibility.
    let mut students: Vec<String> = fs::read_dir(&gradescope)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    students.sort();
    assert_eq!(students, names, "{said}");
    for student in &names {
        let results: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(gradescope.join(student).join("results.json")).unwrap(),
        )
        .unwrap();
        let tests = results["tests"].as_array().unwrap();
        // A verdict test and one per stage (loom, shuttle, stress, tsan, spec).
        assert_eq!(tests.len(), 6, "{student}");
        let passed: Vec<&str> = tests
            .iter()
            .filter(|t| t["status"] == "passed")
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        let expected: &[&str] = if *student == "passing" {
            &["ex01 · loom", "ex01 · shuttle"]
        } else {
            &[]
        };
        assert_eq!(passed, expected, "{student}");
        let sum: f64 = tests.iter().filter_map(|t| t["score"].as_f64()).sum();
        assert_eq!(results["score"].as_f64(), Some(sum));
        assert_eq!(sum, 0.0, "{student}: no pass, no points");
        assert_eq!(tests[0]["max_score"].as_f64(), Some(100.0));
        assert_eq!(results["visibility"], "visible");
        assert_eq!(results["stdout_visibility"], "hidden");
    }

    // What the console said: one line per subject and the class summary.
    for line in [
        "[6/6]",
        "ex01  6 subject(s): 0 passed, 3 failed, 1 incomplete, 0 errored, 1 unchanged, 1 missing",
        "unchanged: the sources are the shipped crate's, not built",
        "verdict: fail",
    ] {
        assert!(stdout.contains(line), "{line} missing\n{said}");
    }
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("] untouched ") && l.contains(" ex01  unchanged ")),
        "{said}"
    );
}

#[test]
fn the_same_subject_graded_again_gets_the_same_verdict_and_hash_and_a_skipped_required_stage_fails()
{
    let class = tempfile::tempdir().unwrap();
    copy_crate(
        "solutions/ex01-lost-update/mutex",
        &class.path().join("fixed"),
    );
    let out = tempfile::tempdir().unwrap();
    let batch = |extra: &[&str]| {
        let mut args = vec![
            "grade",
            "ex01",
            "--submissions",
            class.path().to_str().unwrap(),
            "--stage",
            "loom",
            "--out",
            out.path().to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = xtask(&args);
        let report = Report::read(&out.path().join("ex01/fixed.toml"))
            .unwrap_or_else(|e| panic!("{e}\n{stdout}\n{stderr}"));
        (code, report, format!("{stdout}\n{stderr}"))
    };
    let (first_code, first, said) = batch(&[]);
    let (again_code, again, _) = batch(&[]);
    assert_eq!((first_code, again_code), (3, 3), "{said}");
    assert_eq!(first.verdict, Verdict::Incomplete);
    assert_eq!(first.verdict, again.verdict);
    assert_eq!(stage_statuses(&first), stage_statuses(&again));
    assert_eq!(first.subject_hash, again.subject_hash);
    assert!(first.subject_hash.starts_with("sha256:"));

    // Required but not selected: the grade fails, and JUnit shows a failure.
    let junit = out.path().join("junit.xml");
    let (code, required, said) = batch(&[
        "--require",
        "loom,shuttle",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{said}");
    assert_eq!(required.verdict, Verdict::Fail);
    assert_eq!(required.required, [StageId::Loom, StageId::Shuttle]);
    let shuttle = required.stage(StageId::Shuttle).unwrap();
    assert_eq!(shuttle.status, Status::Skipped);
    assert!(
        shuttle.summary.starts_with("required"),
        "{}",
        shuttle.summary
    );
    let suites = parse_xml(&fs::read_to_string(&junit).unwrap());
    let suite = suites.one("testsuite").unwrap();
    let shuttle_case = suite
        .all("testcase")
        .find(|c| c.attribute("name") == "shuttle")
        .unwrap();
    assert_eq!(
        shuttle_case.one("failure").unwrap().attribute("type"),
        "required-stage-skipped"
    );
    // Not required: still skipped.
    let stress = suite
        .all("testcase")
        .find(|c| c.attribute("name") == "stress")
        .unwrap();
    assert!(stress.one("skipped").is_some());

    // The same on a single grade.
    let report = out.path().join("single.toml");
    let (code, _, _) = xtask(&[
        "grade",
        "ex01",
        "--path",
        class.path().join("fixed").to_str().unwrap(),
        "--stage",
        "loom",
        "--require",
        "tsan",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let single = Report::read(&report).unwrap();
    assert_eq!(single.subject_hash, first.subject_hash);
    assert_eq!(single.verdict, Verdict::Fail);
}

#[test]
fn batch_usage_errors_exit_2() {
    let nowhere = "/nonexistent/racelab-class";
    let (code, _, err) = xtask(&["grade", "ex01", "--submissions", nowhere]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot read the submissions folder"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = xtask(&[
        "grade",
        "ex01",
        "--submissions",
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no submissions"), "{err}");
    let (code, _, err) = xtask(&["grade", "ex01", "--jobs", "2"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--submissions"), "{err}");
    let (code, _, _) = xtask(&["grade", "ex01", "--all"]);
    assert_eq!(code, 2);
    let (code, _, _) = xtask(&["grade", "--all", "--path", "exercises/ex01-lost-update"]);
    assert_eq!(code, 2);
    let (code, _, err) = xtask(&["grade", "--all", "--gradescope-visibility", "public"]);
    assert_eq!(code, 2);
    assert!(err.contains("after_due_date"), "{err}");
    let (code, _, _) = xtask(&["grade"]);
    assert_eq!(code, 2);
}

/// The crates as shipped earn nothing on Gradescope, although a detector blind to
/// their bug passes them (tsan for ex02; shuttle and stress for ex03).
#[test]
fn unfixed_ex02_and_ex03_score_0_on_gradescope() {
    let out = tempfile::tempdir().unwrap();
    for (id, dir, blind) in [
        ("ex02", "exercises/ex02-toctou-payout", &["tsan"][..]),
        (
            "ex03",
            "exercises/ex03-flag-flip",
            &["shuttle", "stress"][..],
        ),
    ] {
        let results = out.path().join(format!("{id}.json"));
        let report = out.path().join(format!("{id}.toml"));
        let (code, stdout, stderr) = xtask(&[
            "grade",
            id,
            "--path",
            root().join(dir).to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
            "--gradescope",
            results.to_str().unwrap(),
        ]);
        assert_eq!(code, 1, "{stdout}\n{stderr}");
        let results: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&results).unwrap()).unwrap();
        assert_eq!(results["score"].as_f64(), Some(0.0), "{id}: {results:#}");
        for stage in blind {
            let test = results["tests"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["name"] == format!("{id} · {stage}"))
                .unwrap();
            assert_eq!(
                test["status"], "passed",
                "{id}: {stage} is blind to the bug"
            );
            assert!(test.get("score").is_none(), "{id}: {stage} earns nothing");
        }
    }
}

/// Uploads as they come (crates placed directly, a zip with `__MACOSX`, a macOS
/// folder name), a roster with a header row, another Unicode form and a student who
/// sent nothing, a student removed since the last run, and two students with the same
/// solution, one reformatted and renamed.
#[test]
fn layouts_roster_stale_reports_and_similar_sources() {
    let class = tempfile::tempdir().unwrap();
    let dir = class.path();
    copy_crate(
        "exercises/ex01-lost-update",
        &dir.join("direct/ex01-lost-update"),
    );
    touch_up(&dir.join("direct/ex01-lost-update"));
    copy_crate(
        "exercises/ex02-toctou-payout",
        &dir.join("direct/ex02-toctou-payout"),
    );
    copy_crate("exercises/ex01-lost-update", &dir.join("zipped/my-ex01"));
    fs::create_dir_all(dir.join("zipped/__MACOSX/my-ex01")).unwrap();
    fs::create_dir_all(dir.join("__MACOSX/zipped")).unwrap();
    // macOS writes the name decomposed: e and a combining diaeresis.
    let zoe = "Zoe\u{308} Smith";
    copy_crate("exercises/ex01-lost-update", &dir.join(zoe));
    copy_crate("solutions/ex01-lost-update/atomic", &dir.join("fixed"));
    // The same solution, reformatted, its comments gone and a name changed.
    copy_crate("solutions/ex01-lost-update/atomic", &dir.join("renamed"));
    let lib = dir.join("renamed/src/lib.rs");
    let disguised: String = fs::read_to_string(&lib)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| format!("{}\n", l.trim()))
        .collect::<String>()
        .replace("amount_paise", "how_much");
    fs::write(&lib, disguised).unwrap();
    copy_crate("solutions/ex01-lost-update/mutex", &dir.join("ghost"));
    let out = tempfile::tempdir().unwrap();
    let gradebook = out.path().join("gradebook.csv");
    let roster = out.path().join("roster.csv");
    fs::write(
        &roster,
        "Student,Email\ndirect,d@x\nzipped,z@x\nfixed,f@x\nzo\u{eb} smith,s@x\nabsent,a@x\n",
    )
    .unwrap();
    let grade = |extra: &[&str]| {
        let mut args = vec![
            "grade",
            "ex01",
            "--submissions",
            dir.to_str().unwrap(),
            "--stage",
            "loom",
            "--out",
            out.path().to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = xtask(&args);
        let said = format!("{stdout}\n{stderr}");
        (code, stdout, said)
    };

    let (code, listing, said) = grade(&["--dry-run"]);
    assert_eq!(code, 0, "{said}");
    // Columns are as wide as the longest name; the words are what counts.
    let words = listing.split_whitespace().collect::<Vec<_>>().join(" ");
    for line in [
        "direct ex01 ex01-lost-update (the exercise crates, placed directly)",
        "zipped ex01 my-ex01 (a crate, in the folder's only subfolder)",
        "__MACOSX (hidden, or archive metadata)",
    ] {
        assert!(words.contains(line), "{line} missing:\n{listing}");
    }
    assert!(
        !out.path().join("ex01").exists(),
        "a dry run grades nothing"
    );

    let (_, _, said) = grade(&[]);
    assert!(out.path().join("ex01/ghost.toml").exists(), "{said}");
    fs::remove_dir_all(dir.join("ghost")).unwrap();
    let (code, stdout, said) = grade(&[
        "--gradebook",
        gradebook.to_str().unwrap(),
        "--roster",
        roster.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{said}");
    assert!(!out.path().join("ex01/ghost.toml").exists(), "{said}");
    assert!(
        stdout.contains("removed 1 report(s) of an earlier run") && stdout.contains("ghost"),
        "{said}"
    );
    // The report's file name keeps the accent, composed.
    assert!(
        out.path().join("ex01/Zo\u{eb}_Smith.toml").exists(),
        "{said}"
    );
    assert!(
        stdout.contains("the same sources for ex01: fixed, renamed"),
        "{said}"
    );
    assert!(
        stdout
            .contains("renamed's ex01 is the reference solution solutions/ex01-lost-update/atomic"),
        "{said}"
    );
    let summary = Summary::read(&out.path().join("summary.toml")).unwrap();
    let line = |name: &str| summary.subjects.iter().find(|s| s.name == name).unwrap();
    assert_eq!(line("fixed").same_as, ["renamed"]);
    assert_eq!(
        line("fixed").copy_of.as_deref(),
        Some("solutions/ex01-lost-update/atomic")
    );
    // Untouched shipped code is nobody's copy.
    for untouched in ["zipped", zoe] {
        assert_eq!(line(untouched).verdict, Verdict::Unchanged);
        assert!(line(untouched).same_as.is_empty(), "{untouched}");
    }
    assert!(line("direct").same_as.is_empty() && line("direct").copy_of.is_none());

    // The student's own paths and replay command, not the grader's.
    let report = Report::read(&out.path().join("ex01/direct.toml")).unwrap();
    let loom = report.stage(StageId::Loom).unwrap();
    assert!(
        loom.summary.contains(" ex01-lost-update/src/lib.rs:"),
        "{}",
        loom.summary
    );
    assert!(
        !loom.summary.contains(dir.to_str().unwrap()),
        "{}",
        loom.summary
    );
    assert_eq!(
        loom.evidence.replay.as_deref(),
        Some("cargo xtask replay ex01 --stage loom --path ex01-lost-update")
    );

    // A byte order mark for Excel, the header row skipped, the roster's spelling kept.
    let csv = fs::read_to_string(&gradebook).unwrap();
    assert_eq!(
        csv,
        "\u{feff}student,ex01 verdict,ex01 points,total\r\n\
         direct,fail,0,0\r\n\
         zipped,unchanged,0,0\r\n\
         fixed,incomplete,0,0\r\n\
         zo\u{eb} smith,unchanged,0,0\r\n\
         absent,missing,0,0\r\n\
         renamed,incomplete,0,0\r\n"
    );
}

/// `--shard 1/2` and `--shard 2/2`, joined by `merge`, give the summary one run gives.
#[test]
fn two_shards_merged_are_one_run() {
    let class = tempfile::tempdir().unwrap();
    let dir = class.path();
    for (name, from) in [
        ("ann", "solutions/ex01-lost-update/atomic"),
        ("ben", "exercises/ex01-lost-update"),
        ("cat", "solutions/ex01-lost-update/mutex"),
        ("dan", "exercises/ex01-lost-update"),
        ("eve", "solutions/ex01-lost-update/per-worker"),
    ] {
        copy_crate(from, &dir.join(name));
    }
    // ben tried something (and fails); dan sent the crate as shipped.
    touch_up(&dir.join("ben"));
    let outs: Vec<tempfile::TempDir> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let grade = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "grade",
            "ex01",
            "--submissions",
            dir.to_str().unwrap(),
            "--stage",
            "loom",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = xtask(&args);
        assert_ne!(code, 2, "{stdout}\n{stderr}");
    };
    grade(outs[0].path(), &[]);
    grade(outs[1].path(), &["--shard", "1/2"]);
    grade(outs[2].path(), &["--shard", "2/2"]);
    let gradebook = outs[3].path().join("gradebook.csv");
    let (code, stdout, stderr) = xtask(&[
        "merge",
        outs[1].path().to_str().unwrap(),
        outs[2].path().to_str().unwrap(),
        "--out",
        outs[3].path().to_str().unwrap(),
        "--gradebook",
        gradebook.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let read = |out: &tempfile::TempDir| Summary::read(&out.path().join("summary.toml")).unwrap();
    let (one, first, second, merged) = (
        read(&outs[0]),
        read(&outs[1]),
        read(&outs[2]),
        read(&outs[3]),
    );
    assert_eq!(first.subjects.len() + second.subjects.len(), 5);
    let lines = |s: &Summary| -> Vec<String> {
        s.subjects
            .iter()
            .map(|l| {
                format!(
                    "{} {} {} {:?} {:?}",
                    l.name, l.verdict, l.points, l.stages, l.same_as
                )
            })
            .collect()
    };
    assert_eq!(lines(&merged), lines(&one));
    assert_eq!(merged.exercises, one.exercises);
    // The merged folder has the class page and every student's page, copied.
    assert!(outs[3].path().join("summary.html").is_file());
    for line in &merged.subjects {
        let page = std::path::Path::new(&line.report).with_extension("html");
        assert!(page.is_file(), "no page for {}", line.name);
    }
    assert_eq!(merged.stages, one.stages);
    assert_eq!(merged.verdict, one.verdict);
    for line in &merged.subjects {
        assert!(
            Path::new(&line.report).starts_with(outs[3].path()),
            "{line:?}"
        );
        Report::read(Path::new(&line.report)).unwrap();
    }
    let csv = fs::read_to_string(&gradebook).unwrap();
    assert_eq!(csv.lines().count(), 6, "{csv}");

    // What one run would not have written is refused, naming the cause.
    let merge = |dirs: &[&Path], extra: &[&str]| {
        let into = tempfile::tempdir().unwrap();
        let mut args = vec!["merge".to_owned()];
        args.extend(dirs.iter().map(|d| d.display().to_string()));
        args.extend(["--out".to_owned(), into.path().display().to_string()]);
        args.extend(extra.iter().map(|e| e.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = xtask(&args);
        (code, format!("{stdout}\n{stderr}"), into)
    };
    let (code, said, _) = merge(&[outs[1].path()], &[]);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("shard(s) 2 of 2 missing"), "{said}");
    let (code, said, _) = merge(&[outs[1].path(), outs[1].path(), outs[2].path()], &[]);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("shard 1/2 was given twice"), "{said}");
    let (code, said, _) = merge(&[outs[0].path()], &[]);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("holds no shard"), "{said}");
    // A shard graded against another manifest.
    let stale = tempfile::tempdir().unwrap();
    copy_tree(outs[2].path(), stale.path());
    let report = &second.subjects[0];
    let path = stale
        .path()
        .join(&report.exercise)
        .join(Path::new(&report.report).file_name().unwrap());
    let text = fs::read_to_string(&path).unwrap();
    let older = text.replace(&report_manifest_hash(&text), "sha256:0123");
    fs::write(&path, older).unwrap();
    let (code, said, _) = merge(&[outs[1].path(), stale.path()], &[]);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("graded against another manifest"), "{said}");

    // One student regraded alone, put in place: still one line for them.
    let regrade = tempfile::tempdir().unwrap();
    grade(regrade.path(), &["--only", "cat"]);
    let (code, said, into) = merge(
        &[outs[1].path(), outs[2].path()],
        &["--replace", regrade.path().to_str().unwrap()],
    );
    assert_eq!(code, 1, "{said}");
    let replaced = Summary::read(&into.path().join("summary.toml")).unwrap();
    assert_eq!(lines(&replaced), lines(&one));
    let cat = replaced.subjects.iter().find(|l| l.name == "cat").unwrap();
    assert!(Path::new(&cat.report).starts_with(into.path()), "{cat:?}");
}

/// The `manifest_hash` a report's text records.
fn report_manifest_hash(report: &str) -> String {
    let line = report
        .lines()
        .find(|l| l.starts_with("manifest_hash = "))
        .expect("a manifest_hash");
    line["manifest_hash = ".len()..]
        .trim_matches('"')
        .to_owned()
}

/// Copies the folder `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A batch removes each student's builds as their report is written: what the
/// students of a class leave on disk is nothing, however many they are, and the
/// shared dependencies stay.
#[test]
fn a_batch_leaves_no_students_builds_so_its_disk_use_does_not_grow_with_the_class() {
    use racelab_grader::lab::Lab;
    use racelab_grader::subject::Subject;
    let lab = Lab::open(&root()).unwrap();
    let ex01 = lab.manifest.find("ex01").unwrap();
    let build = root().join("target/racelab/build");
    for students in [1, 3] {
        let class = tempfile::tempdir().unwrap();
        let class_dir = class.path().canonicalize().unwrap();
        let mut keys = Vec::new();
        for n in 0..students {
            let crate_dir = class_dir.join(format!("student-{n}"));
            copy_crate("solutions/ex01-lost-update/mutex", &crate_dir);
            // Each student's own sources, so each is built.
            fs::write(
                crate_dir.join("src/extra.rs"),
                format!("// student {n} of {students}\n"),
            )
            .unwrap();
            keys.push(Subject::locate(&lab, ex01, Some(&crate_dir)).unwrap().key);
        }
        let out = tempfile::tempdir().unwrap();
        let (code, stdout, stderr) = xtask(&[
            "grade",
            "ex01",
            "--submissions",
            class_dir.to_str().unwrap(),
            "--stage",
            "loom",
            "--out",
            out.path().to_str().unwrap(),
        ]);
        assert_eq!(code, 3, "{stdout}\n{stderr}");
        // Bytes left under target/racelab by this class's subjects.
        let left: u64 = walkdir::WalkDir::new(root().join("target/racelab"))
            .into_iter()
            .flatten()
            .filter(|e| {
                let name = e.path().to_string_lossy().into_owned();
                keys.iter().any(|key| {
                    name.contains(&format!("ex01-{key}")) || name.contains(&format!("ex01_{key}"))
                })
            })
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum();
        assert_eq!(left, 0, "{students} student(s) left builds behind");
        assert!(build.join("loom").is_dir(), "the shared dependencies stay");
    }
}
