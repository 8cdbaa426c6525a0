//! The code explored is the code that ships: the facade's backend is a cargo feature
//! set by the grader's runner manifest, so no cfg reaches the subject, and a subject
//! that shows loom other code than it ships (here through a macro that writes
//! `#[cfg(loom)]`, which no text search of its source finds) is judged on the code it
//! ships.

use racelab_grader::report::Status;
use racelab_grader::stages::StageId;
use racelab_grader::verdict::Verdict;
use racelab_tests::{root, xtask};

#[test]
fn a_subject_that_shows_loom_other_code_than_it_ships_fails() {
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("report.toml");
    let fixture = root().join("tests/fixtures/ex03-macro-cfg");
    let (code, out, err) = xtask(&[
        "grade",
        "ex03",
        "--path",
        fixture.to_str().unwrap(),
        "--stage",
        "loom",
        "--report",
        report_path.to_str().unwrap(),
    ]);
    let report = racelab_grader::report::Report::read(&report_path)
        .unwrap_or_else(|e| panic!("no report ({e})\n{out}{err}"));
    assert_eq!((code, report.verdict), (1, Verdict::Fail), "{out}{err}");
    // Failed by loom on the `Relaxed` code, or refused before the build by the source
    // policy: never a pass.
    let loom = report.stage(StageId::Loom).unwrap();
    match loom.status {
        Status::Fail => assert!(loom.summary.contains("data race"), "{}", loom.summary),
        Status::Error => assert!(loom.evidence.fault.is_some(), "{}", loom.summary),
        other => panic!("loom {other:?}: {}", loom.summary),
    }
}
