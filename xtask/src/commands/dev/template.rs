//! `cargo xtask dev template DIR`: the repository students get — the workspace
//! without what only an instructor should have: the reference fixes (`solutions/`),
//! the grader's own tests and their student-like attempts (`tests/`, `xtask/tests/`,
//! many of them passing fixes with explanations), and the instructor's CI recipes and
//! scripts. The workspace still builds (its manifests no longer name what was left
//! out), `solution` says the reference fixes come from the instructor, exercise
//! READMEs point to no file the template lacks, and a students' workflow grades their
//! own pushes. The instructor grades the students' copies with the full workspace,
//! whose manifest and scenarios are the ones that count.

use anyhow::{Context, bail};
use racelab_grader::lab::{Lab, MANIFEST_PATH};
use std::io::Write;
use std::path::Path;
use walkdir::WalkDir;

/// What the template leaves out, relative to the workspace root: the reference fixes,
/// the grader's tests and attempts, the instructor's CI and scripts, and what a
/// checkout's builds and backups leave behind.
pub(crate) const LEFT_OUT: [&str; 10] = [
    "solutions",
    "tests",
    "xtask/tests",
    ".ci",
    "docs/ci",
    "scripts",
    "ARCHITECTURE.md",
    "target",
    ".git",
    ".racelab",
];

/// The students' workflow: each push grades every exercise they have tried, so they
/// see in their repository what `cargo xtask grade` says at their desk. It grades
/// nothing for the course: the instructor's grader does that, from their own side.
const STUDENT_WORKFLOW: &str = r#"# Written by `cargo xtask dev template`: your own check on every push. It runs
# the same grader as `cargo xtask grade` on your machine; your instructor grades
# your repository with their own copy of the lab.
name: racelab
on: [push, workflow_dispatch]
jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    steps:
      - uses: actions/checkout@v4
      - name: Grade every exercise
        run: cargo xtask grade --all
"#;

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
        let relative = entry.path().strip_prefix(&lab.root).unwrap_or(entry.path());
        !LEFT_OUT.iter().any(|out| relative == Path::new(out))
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
    edit_toml(&dir.join("Cargo.toml"), without_left_out_members)?;
    edit_toml(&dir.join("xtask/Cargo.toml"), without_test_helpers)?;
    edit_toml(&dir.join(MANIFEST_PATH), without_solution_lists)?;
    for entry in std::fs::read_dir(dir.join("exercises"))? {
        let readme = entry?.path().join("README.md");
        if readme.is_file() {
            let text = std::fs::read_to_string(&readme)?;
            std::fs::write(&readme, for_students(&text))?;
        }
    }
    let workflows = dir.join(".github/workflows");
    std::fs::create_dir_all(&workflows)?;
    std::fs::write(workflows.join("racelab.yml"), STUDENT_WORKFLOW)?;
    writeln!(
        out,
        "wrote the student template to {} ({files} files; without solutions/, the grader's tests and attempts, CI recipes and scripts; with a workflow that grades the students' pushes for them): its workspace builds, `cargo xtask solution` says the reference fixes come from you; grade the students' copies with this workspace",
        dir.display()
    )?;
    Ok(0)
}

/// Reads the TOML file at `path`, lets `edit` change it (comments and layout kept),
/// and writes it back.
fn edit_toml(path: &Path, edit: fn(&mut toml_edit::DocumentMut)) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut document: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    edit(&mut document);
    std::fs::write(path, document.to_string())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The workspace's members without the folders the template leaves out.
fn without_left_out_members(document: &mut toml_edit::DocumentMut) {
    let members = document
        .get_mut("workspace")
        .and_then(|w| w.get_mut("members"))
        .and_then(|m| m.as_array_mut());
    if let Some(members) = members {
        members.retain(|member| {
            member.as_str().is_none_or(|member| {
                !LEFT_OUT
                    .iter()
                    .any(|out| member == *out || member.starts_with(&format!("{out}/")))
            })
        });
    }
}

/// xtask's manifest without the test helpers' crate (`tests/`, left out).
fn without_test_helpers(document: &mut toml_edit::DocumentMut) {
    if let Some(dev) = document
        .get_mut("dev-dependencies")
        .and_then(|d| d.as_table_like_mut())
    {
        dev.remove("racelab-tests");
        if dev.is_empty() {
            document.remove("dev-dependencies");
        }
    }
}

/// The exercise manifest without its `solutions = [ … ]` lists (derived from the
/// folders that exist, so none).
fn without_solution_lists(document: &mut toml_edit::DocumentMut) {
    if let Some(exercises) = document
        .get_mut("exercises")
        .and_then(|e| e.as_array_of_tables_mut())
    {
        for exercise in exercises.iter_mut() {
            exercise.remove("solutions");
        }
    }
}

/// An exercise README as students get it: no pointer to the reference fixes (a
/// sentence naming `solutions/…` says they come from the instructor instead), and no
/// marker naming the grader's tests (`<!-- compiler: tests/ui/… -->`).
fn for_students(readme: &str) -> String {
    let text: String = readme
        .lines()
        .filter(|line| !line.trim_start().starts_with("<!-- compiler: "))
        .map(|line| format!("{line}\n"))
        .collect();
    let mut kept = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("`solutions/") {
        let Some(end) = rest[at + 1..].find('`') else {
            break;
        };
        kept.push_str(&rest[..at]);
        kept.push_str("your instructor's reference fixes");
        rest = &rest[at + 1 + end + 1..];
    }
    kept.push_str(rest);
    kept
}

#[cfg(test)]
mod tests {
    use super::{
        for_students, without_left_out_members, without_solution_lists, without_test_helpers,
    };

    fn edited(text: &str, edit: fn(&mut toml_edit::DocumentMut)) -> String {
        let mut document: toml_edit::DocumentMut = text.parse().unwrap();
        edit(&mut document);
        document.to_string()
    }

    #[test]
    fn what_is_left_out_leaves_the_manifests_too() {
        let members = "[workspace]\n# why\nmembers = [\n    \"sync\",\n    \"tests\",\n    \"exercises/*\",\n    \"solutions/*/*\",\n]\n";
        let kept = edited(members, without_left_out_members);
        assert!(
            kept.contains("# why") && kept.contains("\"exercises/*\""),
            "{kept}"
        );
        assert!(
            !kept.contains("tests") && !kept.contains("solutions"),
            "{kept}"
        );

        let xtask = "[dependencies]\na = \"1\"\n\n[dev-dependencies]\nracelab-tests = { path = \"../tests\" }\n";
        let kept = edited(xtask, without_test_helpers);
        assert_eq!(kept, "[dependencies]\na = \"1\"\n");

        let manifest = "[[exercises]]\nid = \"ex01\"\nsolutions = [\n    \"solutions/a\",\n]\nhints = [\"h\"]\n\n[[exercises]]\nid = \"ex02\"\nsolutions = [\"x\"]\n";
        let kept = edited(manifest, without_solution_lists);
        assert!(!kept.contains("solutions"), "{kept}");
        assert!(
            kept.contains("hints = [\"h\"]") && kept.contains("ex02"),
            "{kept}"
        );
    }

    #[test]
    fn a_readme_for_students_names_no_solution_and_no_test() {
        let readme = "The fixes (in\n`solutions/ex01-lost-update/`), each with when.\n<!-- compiler: tests/ui/a.stderr -->\n```text\nerror\n```\n";
        let text = for_students(readme);
        assert_eq!(
            text,
            "The fixes (in\nyour instructor's reference fixes), each with when.\n```text\nerror\n```\n"
        );
    }
}
