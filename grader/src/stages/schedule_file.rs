//! Schedules too long to paste: a livelock's runs to shuttle's step bound, and its
//! schedule to some 10 KB. The replay command then names a file holding it
//! (`--schedule @target/racelab/schedules/<hash>.txt`), written under the lab's work
//! folder and named by its content, so the same failure always names the same file.

use crate::integrity::sha256;
use crate::lab::Lab;
use std::fs;
use std::path::PathBuf;

/// The longest schedule a replay command carries itself.
pub const LONGEST_INLINE: usize = 200;

/// The `--schedule` argument that replays `schedule`: the schedule itself, or `@FILE`
/// once it is longer than [`LONGEST_INLINE`] (the schedule inline when the file
/// cannot be written).
pub fn argument(lab: &Lab, schedule: &str) -> String {
    if schedule.len() <= LONGEST_INLINE {
        return schedule.to_owned();
    }
    let digest = sha256(schedule.as_bytes());
    let hex = digest.trim_start_matches("sha256:");
    let path = lab
        .work_dir()
        .join("schedules")
        .join(format!("{}.txt", &hex[..16]));
    let relative = path.strip_prefix(&lab.root).unwrap_or(&path);
    let written = path
        .parent()
        .map_or(Ok(()), fs::create_dir_all)
        .and_then(|()| fs::write(&path, format!("{schedule}\n")));
    match written {
        Ok(()) => format!("@{}", relative.display()),
        Err(_) => schedule.to_owned(),
    }
}

/// The schedule `argument` stands for: itself, or the content of the file after `@`
/// (a relative path taken from the current folder, else from the lab's root).
pub fn resolve(lab: &Lab, argument: &str) -> Result<String, String> {
    let Some(file) = argument.strip_prefix('@') else {
        return Ok(argument.to_owned());
    };
    let given = PathBuf::from(file);
    let path = if given.is_relative() && !given.exists() {
        lab.root.join(&given)
    } else {
        given
    };
    let text = fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read the schedule file {}: {e}; give --schedule as the grade printed it (`@` and the file, or the schedule itself), or grade again to write the file anew",
            path.display()
        )
    })?;
    Ok(text.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::{LONGEST_INLINE, argument, resolve};
    use crate::lab::Lab;

    #[test]
    fn a_long_schedule_goes_to_a_file_the_replay_reads_back() {
        let root = tempfile::tempdir().unwrap();
        let lab = Lab {
            root: root.path().to_owned(),
            manifest: crate::manifest::Manifest::parse("format = 1\nexercises = []").unwrap(),
        };
        assert_eq!(argument(&lab, "91020b86"), "91020b86");
        assert_eq!(resolve(&lab, "91020b86").unwrap(), "91020b86");

        let long = "9a".repeat(LONGEST_INLINE);
        let named = argument(&lab, &long);
        assert!(named.starts_with("@target/racelab/schedules/"), "{named}");
        assert!(named.len() < 60, "{named}");
        assert_eq!(
            argument(&lab, &long),
            named,
            "the same schedule, the same file"
        );
        assert_eq!(resolve(&lab, &named).unwrap(), long);

        let missing = resolve(&lab, "@target/racelab/schedules/gone.txt").unwrap_err();
        assert!(
            missing.contains("gone.txt") && missing.contains("grade again"),
            "{missing}"
        );
    }
}
