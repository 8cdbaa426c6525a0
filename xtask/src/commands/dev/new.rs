//! `cargo xtask dev new exNN-name`: lays out a new exercise that builds, grades and
//! passes `dev check` from the first minute, with placeholders marked
//! [`PLACEHOLDER`] where the author writes the real story, bug and hints.

use super::PLACEHOLDER;
use super::templates::{
    Flavor, exercise_lib, exercise_manifest, manifest_entry, readme, scenario_file, solution_lib,
    solution_manifest,
};
use anyhow::{Context, bail};
use racelab_grader::lab::{Lab, MANIFEST_PATH};
use racelab_grader::manifest::Manifest;
use racelab_grader::matrix;
use std::io::Write;
use std::path::Path;

/// Creates the exercise `name`; returns the exit status.
pub(super) fn run(
    lab: &Lab,
    name: &str,
    flavor: Flavor,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    let Some((id, topic)) = split_name(name) else {
        bail!(
            "`{name}` is not an exercise name: use `exNN-name`, lowercase words joined by `-` (e.g. `ex04-double-checked-lock`)"
        );
    };
    if let Some(taken) = lab
        .manifest
        .exercises
        .iter()
        .find(|e| e.id == id || e.name == name)
    {
        bail!(
            "{} ({}) is already in {MANIFEST_PATH}: pick another number or name",
            taken.id,
            taken.name
        );
    }
    let title = title_of(topic);
    let number: u32 = id[2..].parse().unwrap_or_default();
    let dir = format!("exercises/{name}");
    let scenario = format!("grader/scenarios/{}.rs", name.replace('-', "_"));
    let solution = format!("solutions/{name}/{}", flavor.solution());
    for path in [&dir, &scenario, &format!("solutions/{name}")] {
        if lab.root.join(path).exists() {
            bail!("{path} already exists: nothing was created");
        }
    }

    let files = [
        (format!("{dir}/Cargo.toml"), exercise_manifest(name, number)),
        (format!("{dir}/src/lib.rs"), exercise_lib(id, flavor)),
        (format!("{dir}/README.md"), readme(id, &title, flavor)),
        (scenario.clone(), scenario_file(id, flavor)),
        (
            format!("{solution}/Cargo.toml"),
            solution_manifest(id, number, flavor),
        ),
        (format!("{solution}/src/lib.rs"), solution_lib(id, flavor)),
    ];
    let manifest_path = lab.root.join(MANIFEST_PATH);
    let mut manifest: toml_edit::DocumentMut = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?
        .parse()
        .with_context(|| format!("{MANIFEST_PATH} is not valid TOML; nothing was created"))?;
    let Some(exercises) = manifest
        .get_mut("exercises")
        .and_then(toml_edit::Item::as_array_of_tables_mut)
    else {
        bail!("{MANIFEST_PATH} has no [[exercises]] list to add to; nothing was created");
    };
    exercises.push(manifest_entry(id, name, &title, flavor));
    let manifest_text = manifest.to_string();
    Manifest::parse(&manifest_text)
        .context("the new manifest entry does not parse; nothing was created")?;
    for (path, text) in &files {
        write_new(&lab.root.join(path), text)?;
    }

    std::fs::write(&manifest_path, &manifest_text)
        .with_context(|| format!("cannot write {}", manifest_path.display()))?;

    let readme_updated = update_matrix(&lab.root)?;

    let mut text = format!("Created {id} — {title}:\n");
    for (path, _) in &files {
        text.push_str(&format!("  {path}\n"));
    }
    text.push_str(&format!(
        "  {MANIFEST_PATH} (an [[exercises]] entry appended)\n"
    ));
    if readme_updated {
        text.push_str("  README.md (the detector matrix, regenerated)\n");
    }
    text.push_str(&format!(
        "Every placeholder reads `{PLACEHOLDER}`. Next:\n\
         \x20 cargo xtask dev check         # what is missing or inconsistent\n\
         \x20 cargo xtask grade {id}        # the placeholder bug fails loom and shuttle\n\
         \x20 cargo xtask grade {id} --path {solution}\n"
    ));
    out.write_all(text.as_bytes())?;
    Ok(0)
}

/// `("ex04", "double-checked-lock")` for `ex04-double-checked-lock`.
fn split_name(name: &str) -> Option<(&str, &str)> {
    let (id, topic) = name.split_once('-')?;
    let digits = id.strip_prefix("ex")?;
    let words_ok = topic.split('-').all(|w| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    (digits.len() == 2 && digits.chars().all(|c| c.is_ascii_digit()) && words_ok)
        .then_some((id, topic))
}

/// `Double checked lock` for `double-checked-lock`.
fn title_of(topic: &str) -> String {
    let words = topic.replace('-', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Writes a file that must not exist yet, creating its folders.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Regenerates README.md's detector matrix from the manifest at `root`; returns
/// whether README.md changed.
pub(super) fn update_matrix(root: &Path) -> anyhow::Result<bool> {
    let manifest = Manifest::load(&root.join(MANIFEST_PATH))?;
    let path = root.join("README.md");
    let readme = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let Some(updated) = matrix::with_section(&readme, &matrix::table(&manifest)) else {
        bail!(
            "README.md lacks the lines `{}` and `{}` around the detector matrix",
            matrix::START_MARKER,
            matrix::END_MARKER
        );
    };
    if updated == readme {
        return Ok(false);
    }
    std::fs::write(&path, updated).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::{split_name, title_of};

    #[test]
    fn names_are_exnn_then_lowercase_words() {
        assert_eq!(
            split_name("ex04-double-checked-lock"),
            Some(("ex04", "double-checked-lock"))
        );
        assert_eq!(split_name("ex99-demo"), Some(("ex99", "demo")));
        for bad in [
            "ex4-demo",
            "ex04",
            "ex04-",
            "ex04-Demo",
            "demo-ex04",
            "ex04--demo",
            "exab-demo",
        ] {
            assert_eq!(split_name(bad), None, "{bad}");
        }
        assert_eq!(title_of("double-checked-lock"), "Double checked lock");
    }
}
