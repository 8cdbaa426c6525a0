//! The lab's claim about each exercise as shipped: which stages catch its bug, and
//! why the others cannot (`[exercises.shipped]` in the manifest).

use crate::stage_id::StageId;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The lab's claim about the exercise as shipped: the stages that catch its bug, and
/// for every other stage one line on why it cannot see this kind of bug.
///
/// [`super::Manifest::parse`] checks that every stage is in exactly one of the two.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipped {
    /// Whether the crate as shipped compiles (`false`: the compiler is the detector
    /// that catches it, every stage fails with its errors, and nothing else is
    /// claimed).
    #[serde(default = "compiles")]
    pub compiles: bool,
    /// The stages that fail on the crate as shipped (`loom`, `tsan`, …).
    #[serde(default)]
    pub caught_by: Vec<StageId>,
    /// Every other stage, with the reason it passes the shipped crate.
    #[serde(default)]
    pub blind: BTreeMap<StageId, String>,
}

fn compiles() -> bool {
    true
}

impl Shipped {
    /// Whether `stage` is claimed to catch the shipped bug.
    pub fn is_caught_by(&self, stage: StageId) -> bool {
        self.caught_by.contains(&stage)
    }

    /// Why `stage` cannot see the shipped bug, if it is claimed blind to it.
    pub fn why_blind(&self, stage: StageId) -> Option<&str> {
        self.blind.get(&stage).map(String::as_str)
    }

    /// Checks the claim: each stage in exactly one of the two fields, and a one-line
    /// reason for every blind stage (unknown stage names are refused when parsed).
    /// `spec` is claimed only for an exercise with a sequential model (`has_model`).
    pub(super) fn check(&self, has_model: bool) -> Result<(), String> {
        if !self.compiles {
            return if self.caught_by.is_empty() && self.blind.is_empty() {
                Ok(())
            } else {
                Err("`shipped.compiles = false` claims the compiler catches the shipped crate, so no stage runs on it: leave out `caught_by` and `blind`".into())
            };
        }
        if self.caught_by.is_empty() {
            return Err(
                "`shipped.caught_by` is empty: name at least one stage that catches the shipped bug"
                    .into(),
            );
        }
        for (i, name) in self.caught_by.iter().enumerate() {
            if self.caught_by[..i].contains(name) {
                return Err(format!("`shipped.caught_by` names `{name}` twice"));
            }
        }
        for (name, reason) in &self.blind {
            if self.caught_by.contains(name) {
                return Err(format!(
                    "`{name}` is in both `shipped.caught_by` and `shipped.blind`: a stage either catches the shipped bug or is blind to it"
                ));
            }
            if reason.trim().is_empty() || reason.contains('\n') {
                return Err(format!(
                    "`shipped.blind.{name}` must be one non-empty line saying why {name} cannot see this bug"
                ));
            }
        }
        let claimed = StageId::ALL
            .into_iter()
            .filter(|stage| has_model || *stage != StageId::Spec);
        if !has_model
            && (self.is_caught_by(StageId::Spec) || self.why_blind(StageId::Spec).is_some())
        {
            return Err(
                "the shipped claim names `spec`, but the exercise has no `[exercises.stages.spec]` (no sequential model)"
                    .into(),
            );
        }
        for stage in claimed {
            if !self.is_caught_by(stage) && self.why_blind(stage).is_none() {
                return Err(format!(
                    "stage `{stage}` is in neither `shipped.caught_by` nor `shipped.blind`: list it as a catcher, or give `shipped.blind.{stage}` a line on why it cannot see the bug"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Manifest;
    use super::super::tests::{edited, shipped};

    const EX02_CAUGHT_BY: &str = r#"caught_by = ["loom", "shuttle", "stress", "spec"]"#;
    const EX02_BLIND_TSAN: &str = "tsan = \"ThreadSanitizer reports data races";

    #[test]
    fn every_exercise_claims_each_stage_exactly_once() {
        use crate::stage_id::StageId;
        for exercise in &shipped().exercises {
            if !exercise.shipped.compiles {
                continue;
            }
            for stage in StageId::ALL {
                if stage == StageId::Spec && exercise.stages.spec.is_none() {
                    continue;
                }
                let caught = exercise.shipped.is_caught_by(stage);
                let blind = exercise.shipped.why_blind(stage).is_some();
                assert!(caught != blind, "{} {stage}", exercise.id);
            }
        }
    }

    #[test]
    fn an_unknown_stage_in_the_shipped_claim_is_named_with_its_field() {
        let text = edited(
            EX02_CAUGHT_BY,
            r#"caught_by = ["loom", "shutle", "stress", "spec"]"#,
        );
        // The parser's message quotes the line, so the field is in it.
        let problem = Manifest::parse(&text).unwrap_err().0;
        for part in [
            "caught_by = [",
            "unknown stage `shutle`",
            "loom, shuttle, stress, tsan, spec",
        ] {
            assert!(problem.contains(part), "{part} missing in: {problem}");
        }
        let text = edited(
            EX02_BLIND_TSAN,
            "tsna = \"ThreadSanitizer reports data races",
        );
        let problem = Manifest::parse(&text).unwrap_err().0;
        for part in ["tsna = \"", "unknown stage `tsna`"] {
            assert!(problem.contains(part), "{part} missing in: {problem}");
        }
    }

    #[test]
    fn a_stage_both_catching_and_blind_is_refused() {
        let text = edited(
            EX02_CAUGHT_BY,
            r#"caught_by = ["loom", "shuttle", "stress", "tsan", "spec"]"#,
        );
        let problem = Manifest::parse(&text).unwrap_err().0;
        for part in [
            "ex02",
            "`tsan`",
            "both",
            "`shipped.caught_by`",
            "`shipped.blind`",
        ] {
            assert!(problem.contains(part), "{part} missing in: {problem}");
        }
    }

    #[test]
    fn a_stage_missing_from_the_claim_is_refused() {
        let text = edited(
            EX02_BLIND_TSAN,
            "# tsan = \"ThreadSanitizer reports data races",
        );
        let problem = Manifest::parse(&text).unwrap_err().0;
        for part in ["ex02", "`tsan`", "neither", "`shipped.blind.tsan`"] {
            assert!(problem.contains(part), "{part} missing in: {problem}");
        }
    }

    #[test]
    fn a_blind_stage_needs_a_one_line_reason_and_a_claim_needs_a_catcher() {
        let text = edited(
            EX02_BLIND_TSAN,
            "tsan = \"\"\ndummy = \"ThreadSanitizer reports data races",
        );
        let problem = Manifest::parse(&text).unwrap_err().0;
        assert!(problem.contains("unknown stage `dummy`"), "{problem}");
        let text = edited(
            EX02_BLIND_TSAN,
            "tsan = \" \"\n# \"ThreadSanitizer reports data races",
        );
        let problem = Manifest::parse(&text).unwrap_err().0;
        assert!(
            problem.contains("ex02") && problem.contains("one non-empty line"),
            "{problem}"
        );
        let text = edited(EX02_CAUGHT_BY, "caught_by = []");
        let problem = Manifest::parse(&text).unwrap_err().0;
        assert!(
            problem.contains("`shipped.caught_by` is empty"),
            "{problem}"
        );
        let text = edited(
            EX02_CAUGHT_BY,
            r#"caught_by = ["loom", "loom", "shuttle", "stress", "spec"]"#,
        );
        let problem = Manifest::parse(&text).unwrap_err().0;
        assert!(problem.contains("twice"), "{problem}");
    }

    #[test]
    fn a_crate_the_compiler_refuses_claims_no_stage() {
        let manifest = shipped();
        let ex00 = manifest.find("ex00").unwrap();
        assert!(!ex00.shipped.compiles && ex00.shipped.caught_by.is_empty());
        assert!(manifest.find("ex01").unwrap().shipped.compiles);
        let text = edited(
            "compiles = false\n",
            "compiles = false\ncaught_by = [\"loom\"]\n",
        );
        let problem = Manifest::parse(&text).unwrap_err().0;
        assert!(
            problem.contains("ex00") && problem.contains("leave out `caught_by`"),
            "{problem}"
        );
    }

    #[test]
    fn spec_is_claimed_exactly_when_the_exercise_has_a_model() {
        const EX02_SPEC: &str = "[exercises.stages.spec]\nseed = 20261127";
        let mut text = edited(EX02_SPEC, EX02_SPEC);
        let start = text.find(EX02_SPEC).unwrap();
        let end = start + text[start..].find("\n\n").unwrap();
        text.replace_range(start..end, "");
        let problem = Manifest::parse(&text).unwrap_err().0;
        assert!(
            problem.contains("ex02") && problem.contains("no sequential model"),
            "{problem}"
        );
        let mut text = text.replacen(
            EX02_CAUGHT_BY,
            r#"caught_by = ["loom", "shuttle", "stress"]"#,
            1,
        );
        // Nor can its witnesses claim a stage it no longer has.
        let ex02 = text.find(r#"id = "ex02""#).unwrap()..text.find(r#"id = "ex03""#).unwrap();
        let witnesses = text[ex02.clone()].replace(r#", "spec"]"#, "]");
        text.replace_range(ex02, &witnesses);
        let manifest = Manifest::parse(&text).unwrap();
        assert!(manifest.find("ex02").unwrap().stages.spec.is_none());
    }

    mod properties {
        use super::super::super::Manifest;
        use super::super::super::tests::{edited, without_witnesses};
        use super::EX02_CAUGHT_BY;
        use crate::stage_id::StageId;
        use proptest::prelude::*;

        /// What a generated claim says about one stage.
        #[derive(Debug, Clone, Copy, PartialEq)]
        enum Claim {
            Caught,
            CaughtTwice,
            Blind(Reason),
            Both,
            Neither,
        }

        #[derive(Debug, Clone, Copy, PartialEq)]
        enum Reason {
            OneLine,
            Empty,
            TwoLines,
        }

        impl Reason {
            fn text(self) -> &'static str {
                match self {
                    Reason::OneLine => "it cannot see this kind of bug",
                    Reason::Empty => "  ",
                    Reason::TwoLines => "it cannot\\nsee it",
                }
            }
        }

        fn claim() -> impl Strategy<Value = Claim> {
            let reason = prop_oneof![
                4 => Just(Reason::OneLine),
                1 => Just(Reason::Empty),
                1 => Just(Reason::TwoLines),
            ];
            prop_oneof![
                4 => Just(Claim::Caught),
                1 => Just(Claim::CaughtTwice),
                4 => reason.prop_map(Claim::Blind),
                1 => Just(Claim::Both),
                1 => Just(Claim::Neither),
            ]
        }

        /// ex02's `[exercises.shipped]` (and `.blind`) written from `claims`.
        fn shipped_section(claims: &[Claim]) -> String {
            let mut caught = Vec::new();
            let mut blind = String::new();
            for (stage, claim) in StageId::ALL.into_iter().zip(claims) {
                match claim {
                    Claim::Caught => caught.push(stage),
                    Claim::CaughtTwice => caught.extend([stage, stage]),
                    Claim::Both => {
                        caught.push(stage);
                        blind.push_str(&format!("{stage} = \"why\"\n"));
                    }
                    Claim::Blind(reason) => {
                        blind.push_str(&format!("{stage} = \"{}\"\n", reason.text()));
                    }
                    Claim::Neither => {}
                }
            }
            let caught: Vec<String> = caught.iter().map(|s| format!("\"{s}\"")).collect();
            format!(
                "caught_by = [{}]\n\n[exercises.shipped.blind]\n{blind}",
                caught.join(", ")
            )
        }

        proptest! {
            /// A claim is accepted exactly when it names a catcher, names none
            /// twice, and puts every stage either among the catchers or among the
            /// blind with a one-line reason.
            #[test]
            fn the_validator_accepts_exactly_the_well_formed_claims(
                claims in prop::collection::vec(claim(), StageId::ALL.len())
            ) {
                let text = edited(EX02_CAUGHT_BY, &shipped_section(&claims));
                // ex02's own `[exercises.shipped.blind]` follows: drop it.
                let ours = text.find("[exercises.shipped.blind]\n").unwrap();
                let theirs = ours + 1 + text[ours + 1..].find("[exercises.shipped.blind]\n").unwrap();
                let end = theirs + text[theirs..].find("\n\n").unwrap();
                let mut text = text;
                text.replace_range(theirs..end, "");
                // ex02's witnesses need a catcher among their stages: not this test's rule.
                let text = without_witnesses(&text);
                let well_formed = claims
                    .iter()
                    .any(|c| matches!(c, Claim::Caught | Claim::CaughtTwice | Claim::Both))
                    && claims.iter().all(|c| {
                        matches!(c, Claim::Caught | Claim::Blind(Reason::OneLine))
                    });
                let parsed = Manifest::parse(&text);
                prop_assert_eq!(parsed.is_ok(), well_formed, "{:?}: {:?}", claims, parsed.err());
            }
        }
    }
}
