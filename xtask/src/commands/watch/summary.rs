//! The summary pinned above watch's scrolling grade: one line per stage, its status in
//! this grade and what changed since the grade before (`loom     FAIL→PASS`), so the
//! verdict of every detector stays in view however long one stage's evidence is.
//!
//! The grade before is the last report written for the subject: the previous grade of
//! this session, or of an earlier one (a grade abandoned by a save writes none).

use racelab_grader::report::Status;
use racelab_grader::stages::StageId;
use std::collections::BTreeMap;

/// Each selected stage's status before this grade and, once it ended, in it.
#[derive(Debug)]
pub(super) struct Summary {
    stages: Vec<StageId>,
    before: BTreeMap<StageId, Status>,
    now: BTreeMap<StageId, (Status, u64)>,
}

/// How wide the status column is: `TIMEOUT→PASS` and its padding.
const STATUS_WIDTH: usize = 16;

impl Summary {
    /// A summary of `stages` with none ended yet, against the statuses of the grade
    /// before (none for a first grade); a stage skipped then is left out of them.
    pub(super) fn new(
        stages: &[StageId],
        before: impl IntoIterator<Item = (StageId, Status)>,
    ) -> Self {
        Summary {
            stages: stages.to_vec(),
            before: before
                .into_iter()
                .filter(|(_, status)| *status != Status::Skipped)
                .collect(),
            now: BTreeMap::new(),
        }
    }

    /// Records that `stage` ended; returns its line's index, if it is summarised.
    pub(super) fn ended(
        &mut self,
        stage: StageId,
        status: Status,
        duration_ms: u64,
    ) -> Option<usize> {
        let index = self.stages.iter().position(|s| *s == stage)?;
        self.now.insert(stage, (status, duration_ms));
        Some(index)
    }

    /// Every line, in the stages' fixed order (so a line never moves).
    pub(super) fn lines(&self) -> Vec<String> {
        (0..self.stages.len()).map(|i| self.line(i)).collect()
    }

    /// The line of the `index`th stage: `  loom     FAIL→PASS        0.3 s`, or while it
    /// runs `  loom     running…         was FAIL`.
    pub(super) fn line(&self, index: usize) -> String {
        let stage = self.stages[index];
        let word = |status: Status| status.as_str().to_uppercase();
        let before = self.before.get(&stage).copied();
        let (status, detail) = match (self.now.get(&stage), before) {
            (None, None) => ("running…".to_owned(), String::new()),
            (None, Some(was)) => ("running…".to_owned(), format!("was {}", word(was))),
            (Some(&(now, ms)), was) => {
                let status = match was {
                    Some(was) if was != now => format!("{}→{}", word(was), word(now)),
                    _ => word(now),
                };
                let time = match now {
                    Status::Skipped => String::new(),
                    _ => format!("{:>5.1} s", ms as f64 / 1000.0),
                };
                let same = if was == Some(now) { "  as before" } else { "" };
                (status, format!("{time}{same}"))
            }
        };
        let line = format!("  {:<8} {status:<STATUS_WIDTH$} {detail}", stage.as_str());
        line.trim_end().to_owned()
    }
}

/// How many rows `line` takes on a screen `columns` wide: its visible characters
/// (colour codes, `ESC [ … m`, take none), wrapped; one for an empty line. With no
/// width known, one.
pub(super) fn screen_rows(line: &str, columns: usize) -> usize {
    let mut visible: usize = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            visible += 1;
        }
    }
    match columns {
        0 => 1,
        _ => visible.div_ceil(columns).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::{Summary, screen_rows};

    #[test]
    fn a_line_takes_the_rows_it_wraps_to_and_colour_codes_take_none() {
        assert_eq!(screen_rows("", 80), 1);
        assert_eq!(screen_rows(&"x".repeat(80), 80), 1);
        assert_eq!(screen_rows(&"x".repeat(81), 80), 2);
        assert_eq!(
            screen_rows(&format!("\x1b[1;32m{}\x1b[0m", "é".repeat(80)), 80),
            1
        );
        assert_eq!(screen_rows(&"x".repeat(200), 0), 1);
    }

    use racelab_grader::report::Status;
    use racelab_grader::stages::StageId;

    #[test]
    fn each_line_says_what_changed_since_the_grade_before() {
        let before = [
            (StageId::Loom, Status::Fail),
            (StageId::Shuttle, Status::Fail),
            (StageId::Stress, Status::Skipped),
        ];
        let stages = [StageId::Loom, StageId::Shuttle, StageId::Stress];
        let mut summary = Summary::new(&stages, before);
        assert_eq!(
            summary.lines(),
            [
                "  loom     running…         was FAIL",
                "  shuttle  running…         was FAIL",
                "  stress   running…",
            ]
        );
        assert_eq!(summary.ended(StageId::Shuttle, Status::Fail, 450), Some(1));
        assert_eq!(summary.ended(StageId::Loom, Status::Pass, 310), Some(0));
        assert_eq!(summary.ended(StageId::Stress, Status::Pass, 9400), Some(2));
        assert_eq!(summary.ended(StageId::Spec, Status::Pass, 1), None);
        assert_eq!(
            summary.lines(),
            [
                "  loom     FAIL→PASS          0.3 s",
                "  shuttle  FAIL               0.5 s  as before",
                "  stress   PASS               9.4 s",
            ]
        );
        let first = Summary::new(&stages[..1], []);
        assert_eq!(first.lines(), ["  loom     running…"]);
    }
}
