//! The report, JUnit and Gradescope files do not depend on the terminal that ran the
//! grade: the report stores the failing execution's steps and every format draws
//! them at 80 columns, whatever `--width` the console was given.

use racelab_tests::xtask;

/// The files a grade of ex01 (loom alone: its data race, and the value trace after it,
/// are the interleavings whose tables used to follow the width) writes at `width`
/// columns, and its console output.
struct Graded {
    console: String,
    files: Vec<(&'static str, String)>,
}

fn grade_at(width: &str) -> Graded {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let (report, junit, gradescope) =
        (path("report.toml"), path("junit.xml"), path("results.json"));
    let (_, console, err) = xtask(&[
        "grade",
        "ex01",
        "--stage",
        "loom",
        "--width",
        width,
        "--report",
        &report,
        "--junit",
        &junit,
        "--gradescope",
        &gradescope,
    ]);
    let read = |path: &str| {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}\n{console}\n{err}"))
    };
    Graded {
        files: vec![
            ("report.toml", without_times(&read(&report))),
            ("junit.xml", without_times(&read(&junit))),
            ("results.json", without_times(&read(&gradescope))),
        ],
        console,
    }
}

/// `text` with the figures of its clocks zeroed (`duration_ms = 1234`,
/// `time="1.234"`, `"execution_time": 1.2`), which differ from run to run whatever
/// the width; every other byte is kept.
fn without_times(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let keys = ["duration_ms = ", "time=\"", "\"execution_time\": "];
    while let Some((at, key)) = keys
        .iter()
        .filter_map(|key| rest.find(key).map(|at| (at, *key)))
        .min()
    {
        out.push_str(&rest[..at + key.len()]);
        rest = &rest[at + key.len()..];
        let figures = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        out.push('0');
        rest = &rest[figures..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_files_ci_reads_are_the_same_at_any_width() {
    let narrow = grade_at("60");
    let wide = grade_at("200");
    // The console did follow the width: the interleaving is drawn to it.
    assert_ne!(narrow.console, wide.console);
    for ((name, narrow), (_, wide)) in narrow.files.iter().zip(&wide.files) {
        assert_eq!(narrow, wide, "{name} differs between 60 and 200 columns");
    }
    let (_, report) = &narrow.files[0];
    assert!(report.contains("[[stages.evidence.steps]]"), "{report}");
    assert!(!report.contains("\ntrace = "), "{report}");
}

#[test]
fn clocks_are_the_only_figures_left_out() {
    assert_eq!(
        without_times("duration_ms = 1234\ntime=\"1.500\" x=\"2\"\n\"execution_time\": 3.25,"),
        "duration_ms = 0\ntime=\"0\" x=\"2\"\n\"execution_time\": 0,"
    );
}
