//! `cargo xtask dev template DIR`: the repository students get — the workspace
//! without the reference fixes. The workspace still builds (its members no longer
//! name `solutions/`, the manifest lists none), `solution` says the reference fixes
//! come from the instructor, and the instructor grades the students' copies with the
//! full workspace, whose manifest and scenarios are the ones that count.

use anyhow::{Context, bail};
use racelab_grader::lab::{Lab, MANIFEST_PATH};
use std::io::Write;
use std::path::Path;
use walkdir::WalkDir;

/// Top-level folders the template leaves out: the reference fixes, and what a
/// checkout's builds and backups leave behind.
const LEFT_OUT: [&str; 4] = ["solutions", "target", ".git", ".racelab"];

/// Writes the student template of `lab` into `dir` (which must not exist or be
/// empty); returns the exit status.
pub(crate) fn run(lab: &Lab, dir: &Path, out: &mut dyn Write) -> anyhow::Result<i32> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty: give dev template a new folder",
            dir.display()
        );
    }
    let mut files = 0;
    let walk = WalkDir::new(&lab.root).follow_links(false).into_iter();
    let walk = walk.filter_entry(|entry| {
        entry.depth() != 1 || !LEFT_OUT.contains(&entry.file_name().to_string_lossy().as_ref())
    });
    for entry in walk {
        let entry = entry?;
        let relative = entry.path().strip_prefix(&lab.root)?;
        let to = dir.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to)?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &to)
                .with_context(|| format!("cannot write {}", to.display()))?;
            files += 1;
        }
    }
    let cargo_toml = dir.join("Cargo.toml");
    let workspace = std::fs::read_to_string(&cargo_toml)?;
    std::fs::write(&cargo_toml, without_solution_members(&workspace))?;
    let manifest = dir.join(MANIFEST_PATH);
    let text = std::fs::read_to_string(&manifest)?;
    std::fs::write(&manifest, without_solution_lists(&text))?;
    writeln!(
        out,
        "wrote the student template to {} ({files} files, without solutions/): its workspace builds, `cargo xtask solution` says the reference fixes come from you; grade the students' copies with this workspace",
        dir.display()
    )?;
    Ok(0)
}

/// The workspace manifest without the `"solutions/*/*"` member.
fn without_solution_members(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim().starts_with("\"solutions/"))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The exercise manifest without its `solutions = [ … ]` lists (derived from the
/// folders that exist, so none).
fn without_solution_lists(text: &str) -> String {
    let mut kept = String::new();
    let mut inside = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if !inside && trimmed.starts_with("solutions = [") {
            inside = !trimmed.trim_end().ends_with(']');
            continue;
        }
        if inside {
            inside = !trimmed.starts_with(']');
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::{without_solution_lists, without_solution_members};

    #[test]
    fn solutions_leave_the_members_and_the_manifest() {
        let members =
            "members = [\n    \"sync\",\n    \"exercises/*\",\n    \"solutions/*/*\",\n]\n";
        assert_eq!(
            without_solution_members(members),
            "members = [\n    \"sync\",\n    \"exercises/*\",\n]\n"
        );
        let manifest = "id = \"ex01\"\nsolutions = [\n    \"solutions/a\",\n]\nhints = [\"h\"]\nsolutions = [\"x\"]\ntitle = \"t\"\n";
        assert_eq!(
            without_solution_lists(manifest),
            "id = \"ex01\"\nhints = [\"h\"]\ntitle = \"t\"\n"
        );
    }
}
