//! The detector matrix: which stage catches which shipped bug, as the manifest claims.
//!
//! The claim lives in each exercise's `[exercises.shipped]` table. This module turns it
//! into the two things people read: the note under a stage that stayed silent on a
//! failing grade ([`explain_silences`]), and the Markdown table in `README.md`
//! between [`START_MARKER`] and [`END_MARKER`] ([`table`]). The end-to-end tests check
//! that the code bears the claim out.

use crate::manifest::{Manifest, Shipped};
use crate::report::{StageReport, Status};
use crate::stage_id::StageId;

/// The line in `README.md` after which the generated matrix starts.
pub const START_MARKER: &str = "<!-- matrix:start -->";

/// The line in `README.md` before which the generated matrix ends.
pub const END_MARKER: &str = "<!-- matrix:end -->";

/// When any stage failed or timed out, gives every passing stage that the manifest
/// calls blind to the shipped bug its reason, as `evidence.note`: its silence is then
/// explained, not mistaken for a clean bill of health.
pub fn explain_silences(shipped: &Shipped, reports: &mut [StageReport]) {
    let caught = reports
        .iter()
        .any(|r| matches!(r.status, Status::Fail | Status::Timeout));
    if !caught {
        return;
    }
    for report in reports.iter_mut().filter(|r| r.status == Status::Pass) {
        let why = shipped.why_blind(report.name);
        if let (None, Some(why)) = (&report.evidence.note, why) {
            report.evidence.note = Some(why.to_owned());
        }
    }
}

/// The matrix as Markdown: one row per exercise, one column per stage, then the
/// reason for every silent cell.
pub fn table(manifest: &Manifest) -> String {
    let mut text = String::from(
        "Each cell is what a detector does with the exercise as shipped: the compiler \
         first (a crate it refuses reaches no other detector), then each stage; every \
         reference solution compiles and passes every stage. *Generated from `grader/exercises.toml`; \
         `tests/matrix.rs` grades every shipped crate and every solution, and fails when \
         the code does not bear a cell out.*\n\n",
    );
    text.push_str("| exercise | compiler |");
    for stage in StageId::ALL {
        text.push_str(&format!(" {stage} |"));
    }
    text.push_str("\n|---|---|");
    text.push_str(&"---|".repeat(StageId::ALL.len()));
    text.push('\n');
    for exercise in &manifest.exercises {
        text.push_str(&format!(
            "| [{} — {}]({}/README.md) |",
            exercise.id, exercise.title, exercise.dir
        ));
        if !exercise.shipped.compiles {
            text.push_str(" **refuses it** |");
            text.push_str(&" not reached |".repeat(StageId::ALL.len()));
            text.push('\n');
            continue;
        }
        text.push_str(" compiles |");
        for stage in StageId::ALL {
            let cell = if stage == StageId::Spec && exercise.stages.spec.is_none() {
                "no model yet"
            } else if exercise.shipped.is_caught_by(stage) {
                "**fails**"
            } else {
                "passes (blind)"
            };
            text.push_str(&format!(" {cell} |"));
        }
        text.push('\n');
    }
    let reasons: Vec<String> = manifest
        .exercises
        .iter()
        .flat_map(|exercise| {
            StageId::ALL.into_iter().filter_map(move |stage| {
                let why = exercise.shipped.why_blind(stage)?;
                Some(format!("- **{} · {stage}**: {why}\n", exercise.id))
            })
        })
        .collect();
    if !reasons.is_empty() {
        text.push_str("\nWhy a detector passes a bug it cannot see:\n\n");
        text.extend(reasons);
    }
    text
}

/// The text between the markers of `readme`, without the marker lines; `None` when
/// the markers are missing or out of order.
pub fn section(readme: &str) -> Option<&str> {
    let start = readme.find(START_MARKER)? + START_MARKER.len();
    let end = start + readme[start..].find(END_MARKER)?;
    Some(readme[start..end].trim_matches('\n'))
}

/// `readme` with the text between the markers replaced by `table`; `None` when the
/// markers are missing or out of order.
pub fn with_section(readme: &str, table: &str) -> Option<String> {
    let start = readme.find(START_MARKER)? + START_MARKER.len();
    let end = start + readme[start..].find(END_MARKER)?;
    Some(format!(
        "{}\n{}\n{}",
        &readme[..start],
        table.trim_matches('\n'),
        &readme[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::{END_MARKER, START_MARKER, explain_silences, section, table, with_section};
    use crate::manifest::{Manifest, Shipped};
    use crate::report::{Evidence, StageReport, Status};
    use crate::stage_id::StageId;

    fn manifest() -> Manifest {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/exercises.toml");
        Manifest::load(std::path::Path::new(path)).expect("the shipped manifest loads")
    }

    fn stage(name: &str, status: Status) -> StageReport {
        StageReport {
            name: name.parse().expect("a stage name"),
            status,
            duration_ms: 0,
            summary: String::new(),
            evidence: Evidence::default(),
        }
    }

    fn blind_to_tsan() -> Shipped {
        Shipped {
            compiles: true,
            caught_by: vec![StageId::Loom, StageId::Shuttle, StageId::Stress],
            blind: [(StageId::Tsan, "no data race here".to_owned())].into(),
        }
    }

    #[test]
    fn a_blind_stage_that_passes_a_failing_grade_says_why() {
        let mut reports = vec![
            stage("loom", Status::Fail),
            stage("shuttle", Status::Pass),
            stage("stress", Status::Skipped),
            stage("tsan", Status::Pass),
        ];
        explain_silences(&blind_to_tsan(), &mut reports);
        assert_eq!(
            reports[3].evidence.note.as_deref(),
            Some("no data race here")
        );
        assert_eq!(
            reports[1].evidence.note, None,
            "shuttle is claimed to catch the bug: its pass has no excuse to give"
        );
    }

    #[test]
    fn a_passing_grade_carries_no_excuses() {
        let mut reports = vec![stage("loom", Status::Pass), stage("tsan", Status::Pass)];
        explain_silences(&blind_to_tsan(), &mut reports);
        assert!(reports.iter().all(|r| r.evidence.note.is_none()));
    }

    #[test]
    fn the_table_has_a_row_per_exercise_and_a_reason_per_silent_cell() {
        let manifest = manifest();
        let text = table(&manifest);
        assert!(
            text.contains("| exercise | compiler | loom | shuttle | stress | tsan | spec |"),
            "{text}"
        );
        for exercise in &manifest.exercises {
            assert!(text.contains(&format!("[{} — {}]", exercise.id, exercise.title)));
            for (stage, why) in &exercise.shipped.blind {
                assert!(text.contains(&format!("**{} · {stage}**: {why}", exercise.id)));
            }
        }
        let silent = text.matches("passes (blind)").count();
        let reasons: usize = manifest
            .exercises
            .iter()
            .map(|e| e.shipped.blind.len())
            .sum();
        assert_eq!(silent, reasons);
    }

    #[test]
    fn the_section_between_the_markers_is_read_and_replaced() {
        let readme = format!("# Title\n\n{START_MARKER}\nold\n{END_MARKER}\n\nmore\n");
        assert_eq!(section(&readme), Some("old"));
        let updated = with_section(&readme, "new\ntable\n").unwrap();
        assert_eq!(
            updated,
            format!("# Title\n\n{START_MARKER}\nnew\ntable\n{END_MARKER}\n\nmore\n")
        );
        assert_eq!(section(&updated), Some("new\ntable"));
        assert_eq!(section("no markers"), None);
        assert_eq!(section(&format!("{END_MARKER}\n{START_MARKER}")), None);
    }
}
