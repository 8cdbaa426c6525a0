//! `cargo xtask open [EX]`: opens the latest report page (of EX, or of any exercise)
//! in the browser: `$BROWSER` (a `:`-separated list, the first that starts), else
//! `xdg-open` (when it finds a browser); with neither, it prints the page's path.

use crate::exercise_name::find_exercise;
use anyhow::bail;
use racelab_grader::lab::Lab;
use racelab_grader::toolchain::which;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `open`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The exercise whose page to open; the latest page of all without it.
    exercise: Option<String>,
}

/// Opens the page, or prints its path.
pub(crate) fn run(lab: &Lab, args: Args, out: &mut dyn Write) -> anyhow::Result<i32> {
    let reports = lab.work_dir().join("reports");
    let id = match &args.exercise {
        Some(typed) => Some(find_exercise(lab, typed)?.id.as_str()),
        None => None,
    };
    let Some(page) = latest_page(&reports, id) else {
        bail!(
            "no report page yet in {}: grade first, e.g. `cargo xtask grade {}`",
            reports.display(),
            id.unwrap_or("ex01")
        );
    };
    let browser = std::env::var("BROWSER").ok();
    let xdg_open = which("xdg-open");
    for command in openers(browser.as_deref(), xdg_open.clone()) {
        let started = Command::new(&command)
            .arg(&page)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(mut child) = started else {
            continue;
        };
        // xdg-open hands the page to a browser and exits, failing where it finds none
        // (a machine without a desktop); a browser itself runs on, not waited for.
        if Some(&command) == xdg_open.as_ref() && !child.wait().is_ok_and(|s| s.success()) {
            continue;
        }
        writeln!(out, "opened {} with {}", page.display(), command.display())?;
        return Ok(0);
    }
    writeln!(out, "{}", page.display())?;
    Ok(0)
}

/// The programs to try, in order: each of `$BROWSER`'s, then `xdg-open` where found.
fn openers(browser: Option<&str>, xdg_open: Option<PathBuf>) -> Vec<PathBuf> {
    browser
        .into_iter()
        .flat_map(|list| list.split(':'))
        .filter(|b| !b.trim().is_empty())
        .map(PathBuf::from)
        .chain(xdg_open)
        .collect()
}

/// The most recently written page in `reports`: of exercise `id` (`ex01.html`, or a
/// subject elsewhere's `ex01--<folder>-<key>.html`), or of any exercise.
fn latest_page(reports: &Path, id: Option<&str>) -> Option<PathBuf> {
    let entries = std::fs::read_dir(reports).ok()?;
    entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".html")?;
            let of_id = match id {
                Some(id) => stem == id || stem.starts_with(&format!("{id}--")),
                None => stem.starts_with("ex"),
            };
            let modified = entry.metadata().and_then(|m| m.modified()).ok()?;
            of_id.then(|| (modified, entry.path()))
        })
        .max()
        .map(|(_, path)| path)
}

#[cfg(test)]
mod tests {
    use super::{latest_page, openers};
    use std::path::PathBuf;
    use std::time::{Duration, SystemTime};

    #[test]
    fn the_latest_page_of_the_exercise_is_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, age: u64| {
            let path = dir.path().join(name);
            std::fs::write(&path, "<html>").unwrap();
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(SystemTime::now() - Duration::from_secs(age))
                .unwrap();
        };
        write("ex01.html", 30);
        write("ex01--mine-0badc0de.html", 20);
        write("ex02.html", 10);
        write("ex01.toml", 0);
        write("summary.html", 0);
        let latest = |id| latest_page(dir.path(), id).map(|p| p.file_name().unwrap().to_owned());
        assert_eq!(latest(Some("ex01")).unwrap(), "ex01--mine-0badc0de.html");
        assert_eq!(latest(None).unwrap(), "ex02.html");
        assert_eq!(latest(Some("ex03")), None);
    }

    #[test]
    fn browser_comes_before_xdg_open() {
        let xdg = Some(PathBuf::from("/usr/bin/xdg-open"));
        assert_eq!(
            openers(Some("firefox:chromium"), xdg.clone()),
            [
                PathBuf::from("firefox"),
                PathBuf::from("chromium"),
                PathBuf::from("/usr/bin/xdg-open")
            ]
        );
        assert_eq!(openers(Some(""), None), Vec::<PathBuf>::new());
        assert_eq!(openers(None, xdg), [PathBuf::from("/usr/bin/xdg-open")]);
    }
}
