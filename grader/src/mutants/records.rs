//! The manifest's equivalent-mutant records held against the mutants the reference
//! solutions make now: a record whose mutant no longer exists (the solution was
//! edited, its lines moved) explains nothing, and its survivor would come back
//! unexplained at another site.

use super::mutants;
use crate::lab::Lab;

/// Each `[[exercises.mutants.equivalent]]` record that names no mutant of its
/// solution's current source, as (exercise, what is wrong).
pub fn stale_records(lab: &Lab) -> Vec<(String, String)> {
    let mut stale = Vec::new();
    for exercise in &lab.manifest.exercises {
        for record in &exercise.mutants.equivalent {
            let lib = lab.root.join(&record.solution).join("src").join("lib.rs");
            let made = std::fs::read_to_string(&lib)
                .map_err(|e| e.to_string())
                .and_then(|source| mutants(&source).map_err(|e| e.to_string()));
            let problem = match made {
                Err(why) => Some(format!("cannot make its mutants: {why}")),
                Ok(made) => (!made
                    .iter()
                    .any(|m| m.operator == record.operator && m.site == record.site))
                .then(|| "makes no such mutant now (was the solution edited? run `cargo xtask dev mutants` and record the survivor at its new site)".to_owned()),
            };
            if let Some(problem) = problem {
                stale.push((
                    exercise.id.clone(),
                    format!(
                        "`mutants.equivalent` {} at {} of {}: {problem}",
                        record.operator, record.site, record.solution
                    ),
                ));
            }
        }
    }
    stale
}

#[cfg(test)]
mod tests {
    use super::stale_records;
    use crate::lab::Lab;
    use crate::manifest::Equivalent;
    use crate::mutants::Operator;
    use std::path::Path;

    #[test]
    fn a_record_must_name_a_mutant_the_solution_makes_now() {
        let mut lab = Lab::open(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))).unwrap();
        let shipped = stale_records(&lab);
        assert!(shipped.is_empty(), "{shipped:?}");
        let ex03 = lab
            .manifest
            .exercises
            .iter_mut()
            .find(|e| e.id == "ex03")
            .unwrap();
        let solution = "solutions/ex03-flag-flip/release-acquire".to_owned();
        let made = crate::mutants::mutants(
            &std::fs::read_to_string(lab.root.join(&solution).join("src/lib.rs")).unwrap(),
        )
        .unwrap();
        let real = made
            .iter()
            .find(|m| m.operator == Operator::WeakenOrdering)
            .unwrap();
        ex03.mutants.equivalent = vec![
            Equivalent {
                solution: solution.clone(),
                operator: Operator::WeakenOrdering,
                site: real.site,
                reason: "a real site".into(),
            },
            Equivalent {
                solution,
                operator: Operator::RemoveJoin,
                site: real.site,
                reason: "no join there".into(),
            },
        ];
        let stale = stale_records(&lab);
        assert_eq!(stale.len(), 1, "{stale:?}");
        assert!(stale[0].1.contains("remove-join"), "{stale:?}");
    }
}
