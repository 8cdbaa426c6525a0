//! A batch report in the student's words: paths and replay commands relative to the
//! student's own repository (the submission folder), not to the grader's machine,
//! so that what the report says can be run where the student works.

use super::discover::Target;
use crate::report::{Report, StageReport};
use std::path::Path;

/// Rewrites the stages of `report` (of `target`) so that they name files relative to
/// the submission folder, and replay commands that work from it: without `--path`
/// when the subject is the exercise's crate of a workspace copy, else with `--path`
/// relative to the folder. `report.subject` stays the absolute path the grader used.
pub fn relative_to_repository(report: &mut Report, target: &Target<'_>) {
    let Ok(subject) = &target.subject else {
        return;
    };
    // The subject's path is canonical; the folder may be a symbolic link (Gradescope's
    // upload, linked into a class of one).
    let folder = target
        .folder
        .canonicalize()
        .unwrap_or_else(|_| target.folder.clone());
    let Ok(inside) = subject.dir.strip_prefix(&folder) else {
        return;
    };
    let prefix = if inside.as_os_str().is_empty() {
        String::new()
    } else {
        format!("{}/", inside.display())
    };
    let replay_path = if inside == Path::new(&target.exercise.dir) {
        String::new()
    } else if inside.as_os_str().is_empty() {
        " --path .".into()
    } else {
        format!(" --path {}", inside.display())
    };
    let absolute = format!("{}/", subject.dir.display());
    let label = &subject.label;
    let grader_paths = [
        format!(" --path '{}'", label.replace('\'', r"'\''")),
        format!(" --path {label}"),
    ];
    for stage in &mut report.stages {
        rewrite(stage, &mut |text: &mut String| {
            if text.contains(&absolute) {
                *text = text.replace(&absolute, &prefix);
            }
        });
        if let Some(replay) = &mut stage.evidence.replay {
            for grader_path in &grader_paths {
                if let Some(at) = replay.find(grader_path.as_str()) {
                    replay.replace_range(at..at + grader_path.len(), &replay_path);
                    break;
                }
            }
        }
    }
}

/// Applies `edit` to every text of `stage` that may hold a path.
fn rewrite(stage: &mut StageReport, edit: &mut dyn FnMut(&mut String)) {
    edit(&mut stage.summary);
    let evidence = &mut stage.evidence;
    for text in [
        &mut evidence.failure,
        &mut evidence.location,
        &mut evidence.output_tail,
        &mut evidence.fault,
        &mut evidence.note,
    ]
    .into_iter()
    .flatten()
    {
        edit(text);
    }
    evidence.compile_errors.iter_mut().for_each(&mut *edit);
    let steps = evidence.steps.iter_mut().chain(
        evidence
            .values
            .iter_mut()
            .flat_map(|values| values.steps.iter_mut()),
    );
    for step in steps {
        for place in step.place.iter_mut().chain(step.callers.iter_mut()) {
            edit(&mut place.file);
        }
    }
    if let Some(tsan) = &mut evidence.tsan {
        for conflict in &mut tsan.conflicts {
            if let Some(location) = &mut conflict.location {
                edit(location);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::relative_to_repository;
    use crate::batch::Target;
    use crate::formats::tests::caught;
    use crate::lab::Lab;
    use crate::subject::Subject;
    use std::fs;
    use std::path::Path;

    #[test]
    fn paths_and_replays_are_the_students_own() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let lab = Lab::open(root).unwrap();
        let exercise = lab.manifest.find("ex01").unwrap();
        let class = tempfile::tempdir().unwrap();
        let class_dir = class.path().canonicalize().unwrap();
        let folder = class_dir.join("alice-upload");
        let crate_dir = folder.join("exercises/ex01-lost-update");
        fs::create_dir_all(crate_dir.join("src")).unwrap();
        fs::write(crate_dir.join("src/lib.rs"), "").unwrap();
        // The submission is a link to the upload, as Gradescope's script makes it.
        let link = class_dir.join("alice");
        std::os::unix::fs::symlink(&folder, &link).unwrap();
        let subject = Subject::locate(
            &lab,
            exercise,
            Some(&link.join("exercises/ex01-lost-update")),
        )
        .unwrap();
        let mut report = caught();
        let at = crate_dir.join("src/lib.rs:67").display().to_string();
        report.stages[0].summary = format!("data race: reads at {at}");
        report.stages[0].evidence.replay = Some(format!(
            "cargo xtask replay ex01 --stage loom --path {}",
            subject.label
        ));
        let target = Target {
            name: "alice".into(),
            exercise,
            folder: link,
            subject: Ok(subject),
            report_path: class.path().join("out.toml"),
            layout: None,
        };
        relative_to_repository(&mut report, &target);
        let loom = &report.stages[0];
        assert_eq!(
            loom.summary,
            "data race: reads at exercises/ex01-lost-update/src/lib.rs:67"
        );
        assert_eq!(
            loom.evidence.replay.as_deref(),
            Some("cargo xtask replay ex01 --stage loom")
        );
    }
}
