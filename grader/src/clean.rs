//! Pruning build folders: each graded subject leaves a runner project in
//! `target/racelab/runners/<exercise>-<key>/` and, in every flavor's target directory
//! under `target/racelab/build/`, its crate and runner binaries (about 10 MiB per
//! flavor). A class of 50 leaves gigabytes. [`prune`] removes all but the most
//! recently graded subjects', and keeps the dependencies every subject shares;
//! [`remove_subject`] removes one subject's, as a batch writes its report.

use crate::lab::Lab;
use crate::manifest::Exercise;
use crate::subject::Subject;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use walkdir::WalkDir;

/// What [`prune`] removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// The subjects whose builds were removed (`<exercise>-<key>`), oldest first.
    pub subjects: Vec<String>,
    /// The subjects kept.
    pub kept: usize,
    /// Bytes freed.
    pub bytes: u64,
}

/// Removes the builds of every graded subject but the `keep` most recently graded:
/// their runner projects, and their crates and runners in each flavor's target
/// directory. Shared dependencies stay, so the next grade builds only its subject.
pub fn prune(lab: &Lab, keep: usize) -> std::io::Result<Pruned> {
    let runners = lab.work_dir().join("runners");
    let mut subjects: Vec<(SystemTime, String)> = match std::fs::read_dir(&runners) {
        Ok(entries) => entries
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (last_modified(&e.path()), name)
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    // Newest first; the ones past `keep` go.
    subjects.sort_by(|a, b| b.cmp(a));
    let gone: Vec<String> = subjects.iter().skip(keep).map(|(_, n)| n.clone()).collect();
    let mut pruned = Pruned {
        kept: subjects.len().min(keep),
        ..Pruned::default()
    };
    let releases = release_dirs(&lab.work_dir().join("build"));
    for subject in gone.iter().rev() {
        pruned.bytes += remove_builds(&runners, &releases, subject);
        pruned.subjects.push(subject.clone());
    }
    Ok(pruned)
}

/// Removes what the grade of `subject` for `exercise` left (its runner project, and
/// its crate and runners in every flavor's target directory), keeping the shared
/// dependencies; returns the bytes freed. A batch calls it as each report is written,
/// so its disk use does not grow with the class.
pub fn remove_subject(lab: &Lab, exercise: &Exercise, subject: &Subject) -> u64 {
    let work = lab.work_dir();
    let releases = release_dirs(&work.join("build"));
    let name = format!("{}-{}", exercise.id, subject.key);
    remove_builds(&work.join("runners"), &releases, &name)
}

/// Removes the runner project `runners/<subject>` and the subject's artifacts in each
/// of `releases`; returns the bytes freed.
fn remove_builds(runners: &Path, releases: &[PathBuf], subject: &str) -> u64 {
    let mut bytes = remove(&runners.join(subject));
    for release in releases {
        for path in artifacts(release, subject) {
            bytes += remove(&path);
        }
    }
    bytes
}

/// Every `release` folder of the flavors' target directories (`build/std/release`,
/// `build/tsan/x86_64-unknown-linux-gnu/release`, …).
fn release_dirs(build: &Path) -> Vec<PathBuf> {
    WalkDir::new(build)
        .max_depth(3)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_dir() && e.file_name() == "release")
        .map(|e| e.into_path())
        .collect()
}

/// What a subject (`<exercise>-<key>`) left in a `release` folder: its runner binary,
/// its runner's incremental data, and its runner's and crate's fingerprints and
/// compiled files (named by the hash cargo gave each, read from the fingerprint
/// folders' names).
fn artifacts(release: &Path, subject: &str) -> Vec<PathBuf> {
    let runner = format!("racelab-runner-{subject}");
    let crate_package = format!("subject-{subject}");
    let mut found = vec![release.join(&runner), release.join(format!("{runner}.d"))];
    // The runner's incremental data (`incremental/<crate>-<hash>`; the subject's crate
    // is never compiled incrementally).
    let incremental = format!("{}-", runner.replace('-', "_"));
    if let Ok(entries) = std::fs::read_dir(release.join("incremental")) {
        found.extend(
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(&incremental))
                .map(|e| e.path()),
        );
    }
    let Ok(fingerprints) = std::fs::read_dir(release.join(".fingerprint")) else {
        return found;
    };
    for entry in fingerprints.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let hash = |package: &str| {
            name.strip_prefix(package)
                .and_then(|rest| rest.strip_prefix('-'))
                .filter(|h| h.len() == 16 && h.chars().all(|c| c.is_ascii_hexdigit()))
                .map(str::to_owned)
        };
        let deps = release.join("deps");
        if let Some(hash) = hash(&runner) {
            let binary = format!("{}-{hash}", runner.replace('-', "_"));
            found.push(deps.join(format!("{binary}.d")));
            found.push(deps.join(binary));
            found.push(entry.path());
        } else if let Some(hash) = hash(&crate_package) {
            for file in [
                format!("libsubject-{hash}.rlib"),
                format!("libsubject-{hash}.rmeta"),
                format!("subject-{hash}.d"),
            ] {
                found.push(deps.join(file));
            }
            found.push(entry.path());
        }
    }
    found
}

/// The newest modification time of anything in `dir`.
fn last_modified(dir: &Path) -> SystemTime {
    WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok()?.modified().ok())
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// Removes a file or folder; returns the bytes it held (0 if it was not there), a
/// file with several names (cargo hard-links a runner into `deps/` and `release/`)
/// counted once across them.
fn remove(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let share = |m: &std::fs::Metadata| m.len() / m.nlink().max(1);
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if meta.is_dir() {
        let bytes = WalkDir::new(path)
            .into_iter()
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| share(&m))
            .sum();
        std::fs::remove_dir_all(path).map_or(0, |()| bytes)
    } else {
        std::fs::remove_file(path).map_or(0, |()| share(&meta))
    }
}

#[cfg(test)]
mod tests {
    use super::prune;
    use crate::lab::Lab;
    use std::fs;
    use std::path::Path;
    use std::time::{Duration, SystemTime};

    fn touch(path: &Path, age_secs: u64) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, "x").unwrap();
        let when = SystemTime::now() - Duration::from_secs(age_secs);
        fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    #[test]
    fn the_oldest_subjects_go_and_shared_dependencies_stay() {
        let root = tempfile::tempdir().unwrap();
        let lab = Lab {
            root: root.path().to_owned(),
            manifest: crate::manifest::Manifest::parse("format = 1\nexercises = []").unwrap(),
        };
        let work = lab.work_dir();
        let release = work.join("build/std/release");
        for (key, age) in [("aaaa", 300), ("bbbb", 100), ("cccc", 10)] {
            let subject = format!("ex01-{key}");
            touch(
                &work.join("runners").join(&subject).join("std/main.rs"),
                age,
            );
            touch(&release.join(format!("racelab-runner-{subject}")), age);
            let runner_hash = format!("{key}{key}{key}{key}");
            let crate_hash = format!("{key}{key}{key}ffff");
            touch(
                &release
                    .join(".fingerprint")
                    .join(format!("racelab-runner-{subject}-{runner_hash}"))
                    .join("bin"),
                age,
            );
            touch(
                &release
                    .join(".fingerprint")
                    .join(format!("subject-{subject}-{crate_hash}"))
                    .join("lib"),
                age,
            );
            touch(
                &release
                    .join("deps")
                    .join(format!("racelab_runner_ex01_{key}-{runner_hash}")),
                age,
            );
            touch(
                &release
                    .join("deps")
                    .join(format!("libsubject-{crate_hash}.rlib")),
                age,
            );
            touch(
                &release
                    .join("incremental")
                    .join(format!("racelab_runner_ex01_{key}-0h4p1fgj5gmnz"))
                    .join("s-dep-graph.bin"),
                age,
            );
        }
        touch(&release.join("deps/libloom-0123456789abcdef.rlib"), 500);

        let pruned = prune(&lab, 1).unwrap();
        assert_eq!(pruned.subjects, ["ex01-aaaa", "ex01-bbbb"]);
        assert_eq!(pruned.kept, 1);
        assert!(pruned.bytes > 0);
        let mut left: Vec<String> = fs::read_dir(release.join("deps"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "libloom-0123456789abcdef.rlib",
                "libsubject-ccccccccccccffff.rlib",
                "racelab_runner_ex01_cccc-cccccccccccccccc"
            ]
        );
        let incremental: Vec<String> = fs::read_dir(release.join("incremental"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(incremental, ["racelab_runner_ex01_cccc-0h4p1fgj5gmnz"]);
        assert!(!work.join("runners/ex01-aaaa").exists());
        assert!(work.join("runners/ex01-cccc").exists());
        assert!(!release.join("racelab-runner-ex01-bbbb").exists());
    }
}
