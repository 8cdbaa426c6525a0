//! The gradebook: one CSV row per student, two columns per exercise (its verdict and
//! its points, [`crate::score`]), and the student's total, for a spreadsheet or a
//! course platform's import.
//!
//! With a roster (one student a line, as their submission folders are named), every
//! student on it has a row, and an exercise they submitted nothing for reads
//! `missing` with 0 points, so an absent submission is not mistaken for an absent
//! student. Students graded but not on the roster follow, in name order. Names match
//! whatever their Unicode form or case ([`same_student`]); the file starts with a byte
//! order mark ([`BOM`]) so that Excel reads it as UTF-8.

use super::Graded;
use crate::manifest::Manifest;
use crate::score::Score;
use crate::verdict::Verdict;
use std::collections::BTreeMap;
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// What a student's cell reads for an exercise they submitted nothing for: the
/// verdict a batch gives such an exercise, whatever the layout of the upload.
pub const MISSING: &str = Verdict::Missing.as_str();

/// The gradebook's first bytes: UTF-8's byte order mark, without which Excel reads
/// the file in the machine's legacy code page and garbles "Zoë". Google Sheets,
/// LibreOffice and the course platforms' importers skip it.
pub const BOM: &str = "\u{feff}";

/// First cells of a roster's header row (case-folded): a spreadsheet export's column
/// titles, GitHub Classroom's (`identifier`) and Gradescope's (`first name`).
const HEADERS: [&str; 9] = [
    "student",
    "students",
    "name",
    "full name",
    "first name",
    "identifier",
    "login",
    "username",
    "github_username",
];

/// Reads a roster: one student a line (the first comma-separated field, so a
/// spreadsheet's export works), blank lines, `#` comments and a header row (its first
/// cell one of [`HEADERS`]) skipped.
pub fn read_roster(path: &Path) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)?;
    let text = text.strip_prefix(BOM).unwrap_or(&text);
    let mut names: Vec<String> = text
        .lines()
        .map(|line| line.split(',').next().unwrap_or("").trim())
        .map(|name| name.trim_matches('"').trim().to_owned())
        .filter(|name| !name.is_empty() && !name.starts_with('#'))
        .collect();
    if names
        .first()
        .is_some_and(|first| HEADERS.contains(&same_student(first).as_str()))
    {
        names.remove(0);
    }
    Ok(names)
}

/// The key under which two spellings of a name are one student: Unicode's composed
/// form (NFC), lowercased, so "Zoe\u{308}" (macOS's folder name) and "zoë" (the
/// roster) match.
pub fn same_student(name: &str) -> String {
    name.nfc().collect::<String>().to_lowercase()
}

/// One student's grades: per exercise id, its verdict and score.
type Grades<'a> = BTreeMap<&'a str, (Verdict, Score)>;

/// The gradebook CSV of `graded` for `exercises` (ids, in column order), with a row
/// for every student on `roster` and every student graded: a byte order mark, then
/// the rows. A student graded under another spelling of a roster name (Unicode form,
/// case) is that roster line's student.
pub fn render(
    graded: &[Graded<'_>],
    exercises: &[&str],
    roster: &[String],
    manifest: &Manifest,
) -> String {
    // Per student key: the name shown, and per exercise its verdict and score.
    let mut by_student: BTreeMap<String, (String, Grades<'_>)> = BTreeMap::new();
    for name in roster {
        by_student
            .entry(same_student(name))
            .or_insert_with(|| (name.clone(), BTreeMap::new()));
    }
    for g in graded {
        let exercise = g.report.exercise.as_str();
        let score = Score::in_manifest(g.report, manifest);
        by_student
            .entry(same_student(g.name))
            .or_insert_with(|| (g.name.nfc().collect(), BTreeMap::new()))
            .1
            .insert(exercise, (g.report.verdict, score));
    }
    let on_roster: Vec<String> = roster.iter().map(|name| same_student(name)).collect();
    let mut students: Vec<&String> = Vec::new();
    for key in &on_roster {
        if !students.contains(&key) {
            students.push(key);
        }
    }
    students.extend(by_student.keys().filter(|key| !on_roster.contains(key)));
    let mut header = vec!["student".to_owned()];
    for id in exercises {
        header.push(format!("{id} verdict"));
        header.push(format!("{id} points"));
    }
    header.push("total".into());
    let mut lines = vec![BOM.to_owned(), row(&header)];
    for key in students {
        let (name, grades) = &by_student[key];
        let mut cells = vec![name.clone()];
        let mut total = 0.0;
        for &id in exercises {
            match grades.get(id) {
                Some((verdict, score)) => {
                    total += score.earned;
                    cells.push(verdict.as_str().to_owned());
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
            "\u{feff}student,ex01 verdict,ex01 points,ex02 verdict,ex02 points,total\r\n\
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

    #[test]
    fn a_rosters_header_row_is_no_student() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.csv");
        let export = "\u{feff}\"Identifier\",\"github_username\"\nalice,alice-gh\nname,x\n";
        std::fs::write(&path, export).unwrap();
        // Only the first row can be a header: a student called "name" stays.
        assert_eq!(read_roster(&path).unwrap(), ["alice", "name"]);
    }

    #[test]
    fn roster_names_match_folders_in_any_unicode_form_or_case() {
        let manifest = Manifest::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/exercises.toml"
        )))
        .unwrap();
        let mut report = caught();
        report.verdict = Verdict::Missing;
        let mut unchanged = caught();
        unchanged.exercise = "ex02".into();
        unchanged.verdict = Verdict::Unchanged;
        // macOS names the folder decomposed (e + U+0308); the roster is composed.
        let graded = [
            Graded {
                name: "Zoe\u{308} Smith",
                report: &report,
            },
            Graded {
                name: "Zoe\u{308} Smith",
                report: &unchanged,
            },
        ];
        let roster = ["zo\u{eb} smith".to_owned()];
        let csv = render(&graded, &["ex01", "ex02"], &roster, &manifest);
        assert_eq!(
            csv,
            "\u{feff}student,ex01 verdict,ex01 points,ex02 verdict,ex02 points,total\r\n\
             zo\u{eb} smith,missing,0,unchanged,0,0\r\n"
        );
    }
}
