//! The gradebook: one CSV row per student, two columns per exercise (its verdict and
//! its points, [`crate::score`]), and the student's total, for a spreadsheet or a
//! course platform's import.
//!
//! With a roster (one student a line, as their submission folders are named), every
//! student on it has a row, and an exercise they submitted nothing for reads
//! `missing` with 0 points, so an absent submission is not mistaken for an absent
//! student. Students graded but not on the roster follow, in name order.

use super::Graded;
use crate::manifest::Manifest;
use crate::score::Score;
use std::collections::BTreeMap;
use std::path::Path;

/// What a student's cell reads for an exercise they submitted nothing for.
pub const MISSING: &str = "missing";

/// Reads a roster: one student a line (the first comma-separated field, so a
/// spreadsheet's export works), blank lines and `#` comments skipped.
pub fn read_roster(path: &Path) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .map(|line| line.split(',').next().unwrap_or("").trim())
        .filter(|name| !name.is_empty() && !name.starts_with('#'))
        .map(|name| name.trim_matches('"').to_owned())
        .collect())
}

/// The gradebook CSV of `graded` for `exercises` (ids, in column order), with a row
/// for every student on `roster` and every student graded.
pub fn render(
    graded: &[Graded<'_>],
    exercises: &[&str],
    roster: &[String],
    manifest: &Manifest,
) -> String {
    let mut by_student: BTreeMap<&str, BTreeMap<&str, Score>> = BTreeMap::new();
    let mut verdicts: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for g in graded {
        let exercise = g.report.exercise.as_str();
        by_student
            .entry(g.name)
            .or_default()
            .insert(exercise, Score::in_manifest(g.report, manifest));
        verdicts.insert((g.name, exercise), g.report.verdict.as_str());
    }
    let mut students: Vec<&str> = roster.iter().map(String::as_str).collect();
    students.extend(
        by_student
            .keys()
            .copied()
            .filter(|name| !roster.iter().any(|r| r == name)),
    );
    let mut header = vec!["student".to_owned()];
    for id in exercises {
        header.push(format!("{id} verdict"));
        header.push(format!("{id} points"));
    }
    header.push("total".into());
    let mut lines = vec![row(&header)];
    for student in students {
        let mut cells = vec![student.to_owned()];
        let mut total = 0.0;
        for &id in exercises {
            match by_student.get(student).and_then(|scores| scores.get(id)) {
                Some(score) => {
                    total += score.earned;
                    cells.push(verdicts[&(student, id)].to_owned());
                    cells.push(score.earned.to_string());
                }
                None => {
                    cells.push(MISSING.into());
                    cells.push("0".into());
                }
            }
        }
        cells.push(total.to_string());
        lines.push(row(&cells));
    }
    lines.join("")
}

/// One CSV line (RFC 4180: a field with a comma, quote or line break is quoted).
fn row(cells: &[String]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|cell| {
            if cell.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell.clone()
            }
        })
        .collect();
    format!("{}\r\n", quoted.join(","))
}

#[cfg(test)]
mod tests {
    use super::{read_roster, render};
    use crate::formats::Graded;
    use crate::formats::tests::caught;
    use crate::manifest::Manifest;
    use crate::report::Status;
    use crate::verdict::Verdict;

    #[test]
    fn every_student_on_the_roster_has_a_row_and_a_missing_exercise_says_so() {
        let manifest = Manifest::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/exercises.toml"
        )))
        .unwrap();
        let failing = caught();
        let mut passing = caught();
        for stage in &mut passing.stages {
            stage.status = Status::Pass;
        }
        passing.verdict = Verdict::Pass;
        let mut bob_ex02 = passing.clone();
        bob_ex02.exercise = "ex02".into();
        let graded = [
            Graded {
                name: "alice",
                report: &failing,
            },
            Graded {
                name: "bob",
                report: &passing,
            },
            Graded {
                name: "bob",
                report: &bob_ex02,
            },
            Graded {
                name: "zed, late",
                report: &passing,
            },
        ];
        let roster = ["bob".to_owned(), "alice".into(), "carol".into()];
        let csv = render(&graded, &["ex01", "ex02"], &roster, &manifest);
        assert_eq!(
            csv,
            "student,ex01 verdict,ex01 points,ex02 verdict,ex02 points,total\r\n\
             bob,pass,100,pass,100,200\r\n\
             alice,fail,0,missing,0,0\r\n\
             carol,missing,0,missing,0,0\r\n\
             \"zed, late\",pass,100,missing,0,100\r\n"
        );
    }

    #[test]
    fn a_roster_is_one_name_a_line_or_a_spreadsheets_first_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.csv");
        std::fs::write(
            &path,
            "# class of 2026\nalice\n\n\"bob\",Bob B.,bob@x\n  carol  \n",
        )
        .unwrap();
        assert_eq!(read_roster(&path).unwrap(), ["alice", "bob", "carol"]);
    }
}
