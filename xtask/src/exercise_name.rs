//! What a student types for an exercise, resolved: `ex01`, `EX01`, `ex1`, `1`, `01`,
//! `ex01-lost-update` or `lost-update` all name ex01. Anything else is refused with
//! the closest names ("did you mean ex01?") and the list of exercises.

use anyhow::anyhow;
use racelab_grader::lab::Lab;
use racelab_grader::manifest::Exercise;

/// The largest edit distance at which a name is offered as "did you mean".
const CLOSE: usize = 3;

/// The exercise `typed` names, or an error that lists the exercises and suggests the
/// closest ones.
pub(crate) fn find_exercise<'a>(lab: &'a Lab, typed: &str) -> anyhow::Result<&'a Exercise> {
    let exercises = &lab.manifest.exercises;
    if let Some(exercise) = resolve(exercises, typed) {
        return Ok(exercise);
    }
    let suggestions = suggest(exercises, typed);
    let did_you_mean = if suggestions.is_empty() {
        String::new()
    } else {
        format!(" Did you mean {}?", suggestions.join(" or "))
    };
    Err(anyhow!(
        "there is no exercise `{typed}`.{did_you_mean} The exercises are:\n{}\nName one by id (ex01), number (1) or full name.",
        lab.manifest.listing()
    ))
}

/// The one exercise `typed` names, if it names exactly one.
fn resolve<'a>(exercises: &'a [Exercise], typed: &str) -> Option<&'a Exercise> {
    let typed = typed.trim().to_ascii_lowercase();
    let number = typed
        .strip_prefix("ex")
        .unwrap_or(&typed)
        .parse::<u32>()
        .ok()
        .map(|n| format!("ex{n:02}"));
    let matching: Vec<&Exercise> = exercises
        .iter()
        .filter(|e| {
            e.id == typed
                || e.name == typed
                || number.as_deref() == Some(e.id.as_str())
                || topic(e) == typed
        })
        .collect();
    match matching.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// The exercise's name without its id: `lost-update` for `ex01-lost-update`.
fn topic(exercise: &Exercise) -> &str {
    exercise
        .name
        .strip_prefix(&exercise.id)
        .map_or(exercise.name.as_str(), |rest| rest.trim_start_matches('-'))
}

/// The ids of the exercises whose id, name or topic is closest to `typed` (or contains
/// it), if any is close at all.
fn suggest(exercises: &[Exercise], typed: &str) -> Vec<String> {
    let typed = typed.trim().to_ascii_lowercase();
    // An unknown number is not near any other: `ex99` is not a typo of `ex09`.
    let number = typed.strip_prefix("ex").unwrap_or(&typed).parse::<u32>();
    if typed.is_empty() || number.is_ok() {
        return Vec::new();
    }
    let close: Vec<(usize, &Exercise)> = exercises
        .iter()
        .filter_map(|e| {
            let distance = [e.id.as_str(), e.name.as_str(), topic(e)]
                .into_iter()
                .map(|name| {
                    if name.contains(&typed) {
                        0
                    } else {
                        strsim::levenshtein(name, &typed)
                    }
                })
                .min()?;
            (distance <= CLOSE).then_some((distance, e))
        })
        .collect();
    let best = close.iter().map(|(distance, _)| *distance).min();
    close
        .into_iter()
        .filter(|(distance, _)| Some(*distance) == best)
        .map(|(_, e)| e.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{resolve, suggest};
    use racelab_grader::manifest::{Exercise, Manifest};

    fn exercises() -> Vec<Exercise> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../grader/exercises.toml");
        Manifest::load(std::path::Path::new(path))
            .unwrap()
            .exercises
    }

    #[test]
    fn every_natural_spelling_of_an_exercise_resolves() {
        let exercises = exercises();
        for typed in [
            "ex01",
            "EX01",
            "ex1",
            "Ex1",
            "1",
            "01",
            " ex01 ",
            "ex01-lost-update",
            "lost-update",
            "LOST-UPDATE",
        ] {
            assert_eq!(
                resolve(&exercises, typed).map(|e| e.id.as_str()),
                Some("ex01"),
                "{typed}"
            );
        }
        for typed in ["ex99", "99", "lost", "", "ex", "update-lost"] {
            assert!(resolve(&exercises, typed).is_none(), "{typed}");
        }
    }

    #[test]
    fn near_misses_get_suggestions_and_nonsense_gets_none() {
        let exercises = exercises();
        assert_eq!(suggest(&exercises, "lost-updat"), ["ex01"]);
        assert_eq!(suggest(&exercises, "lost"), ["ex01", "ex05"]);
        assert_eq!(suggest(&exercises, "toctou"), ["ex02"]);
        assert!(suggest(&exercises, "zzzzzzzzzz").is_empty());
        assert!(suggest(&exercises, "ex99").is_empty());
        assert!(suggest(&exercises, "9").is_empty());
        assert!(suggest(&exercises, "").is_empty());
    }
}
