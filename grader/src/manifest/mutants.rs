//! `[[exercises.mutants.equivalent]]`: the mutants of a reference solution that
//! survive every detector because they are still correct, each with its reason.
//! `cargo xtask dev mutants` leaves out of the score what is recorded here, and
//! `dev check` fails on a survivor that is not.

use crate::mutants::{Operator, Site};
use serde::Deserialize;

/// An exercise's decisions about its mutants.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutants {
    /// The survivors that are equivalent to their solution.
    #[serde(default)]
    pub equivalent: Vec<Equivalent>,
}

/// One equivalent mutant: which one, and why it is still correct.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equivalent {
    /// The reference solution, as `solutions` lists it.
    pub solution: String,
    /// The operator that made it.
    pub operator: Operator,
    /// Where in the solution's `src/lib.rs`, `line:column` (as the results say).
    pub site: Site,
    /// Why the mutant is still correct, in one line.
    pub reason: String,
}

impl Mutants {
    /// The record that explains the mutant `operator` made at `site` of `solution`.
    pub fn explains(&self, solution: &str, operator: Operator, site: Site) -> Option<&Equivalent> {
        self.equivalent
            .iter()
            .find(|e| e.solution == solution && e.operator == operator && e.site == site)
    }

    /// Checks every record against the exercise's `solutions` (when the manifest
    /// lists them): a known solution, a one-line reason, no record twice.
    pub(super) fn check(&self, solutions: &[String]) -> Result<(), String> {
        for (index, record) in self.equivalent.iter().enumerate() {
            let which = format!(
                "`mutants.equivalent` {} at {} of {}",
                record.operator, record.site, record.solution
            );
            if !solutions.is_empty() && !solutions.contains(&record.solution) {
                return Err(format!(
                    "{which}: the solution is not one of this exercise's `solutions`"
                ));
            }
            if record.reason.trim().is_empty() || record.reason.contains('\n') {
                return Err(format!(
                    "{which}: give the reason it is still correct, in one line"
                ));
            }
            if self.equivalent[..index].iter().any(|e| {
                (&e.solution, e.operator, e.site)
                    == (&record.solution, record.operator, record.site)
            }) {
                return Err(format!("{which}: recorded twice"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Manifest;
    use super::super::tests::edited;
    use crate::mutants::Operator;

    /// The shipped manifest with `records` in ex01.
    fn with(records: &str) -> Result<Manifest, String> {
        let text = edited(
            "fix = [\"solutions/ex01-lost-update/per-worker\"]\n",
            &format!("fix = [\"solutions/ex01-lost-update/per-worker\"]\n{records}"),
        );
        Manifest::parse(&text).map_err(|e| e.0)
    }

    fn record(solution: &str, operator: &str, site: &str, reason: &str) -> String {
        format!(
            "[[exercises.mutants.equivalent]]\nsolution = \"{solution}\"\noperator = \"{operator}\"\nsite = \"{site}\"\nreason = \"{reason}\"\n"
        )
    }

    #[test]
    fn a_record_is_read_and_found_by_solution_operator_and_site() {
        let atomic = "solutions/ex01-lost-update/atomic";
        let manifest = with(&record(atomic, "weaken-ordering", "30:9", "no other data")).unwrap();
        let mutants = &manifest.find("ex01").unwrap().mutants;
        let site = "30:9".parse().unwrap();
        assert_eq!(
            mutants
                .explains(atomic, Operator::WeakenOrdering, site)
                .map(|e| e.reason.as_str()),
            Some("no other data")
        );
        assert!(
            mutants
                .explains(atomic, Operator::RemoveFence, site)
                .is_none()
        );
        assert!(manifest.find("ex03").unwrap().mutants.equivalent.is_empty());
    }

    #[test]
    fn a_wrong_record_is_refused_with_its_rule() {
        let atomic = "solutions/ex01-lost-update/atomic";
        let cases = [
            (
                record(
                    "solutions/ex02-toctou-payout/one-lock",
                    "remove-join",
                    "1:1",
                    "r",
                ),
                "not one of this exercise's",
            ),
            (record(atomic, "remove-join", "1:1", " "), "in one line"),
            (
                record(atomic, "remove-join", "1:1", "r")
                    + &record(atomic, "remove-join", "1:1", "s"),
                "twice",
            ),
            (record(atomic, "remove-lock", "1:1", "r"), "remove-lock"),
            (record(atomic, "remove-join", "line 1", "r"), "line:column"),
        ];
        for (records, rule) in cases {
            let problem = with(&records).unwrap_err();
            assert!(problem.contains(rule), "{rule} not in: {problem}");
        }
    }
}
