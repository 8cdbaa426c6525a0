//! Every natural way of naming an exercise reaches it, near misses get "did you
//! mean", and a bare `grade` lists the exercises under the right program name.

use racelab_tests::{lab_copy, xtask_in as xtask};

#[test]
fn exercises_answer_to_every_natural_name() {
    let lab = lab_copy();
    let root = lab.path();
    for (n, name) in ["ex1", "1", "EX01", "lost-update"].iter().enumerate() {
        let (code, out, err) = xtask(root, &["hint", name]);
        assert_eq!(code, 0, "{name}: {err}");
        assert!(
            out.contains(&format!("Hint {} of 4", n + 1)),
            "{name}: {out}"
        );
    }
    let (code, _, err) = xtask(root, &["hint", "lost-updat"]);
    assert_eq!(code, 2);
    assert!(err.contains("Did you mean ex01?"), "{err}");
    assert!(err.contains("ex03  The flag flip"), "{err}");
}

#[test]
fn a_bare_grade_lists_the_exercises_under_the_command_students_type() {
    let lab = lab_copy();
    let (code, out, err) = xtask(lab.path(), &["grade"]);
    assert_eq!(code, 2, "{out}");
    for part in [
        "cargo xtask grade ex00",
        "ex00  The shared counter",
        "ex01  The lost update",
        "ex02",
    ] {
        assert!(err.contains(part), "{part} missing in: {err}");
    }
    let (code, _, err) = xtask(lab.path(), &["hint"]);
    assert_eq!(code, 2);
    assert!(err.contains("Usage: cargo xtask hint"), "{err}");
}
