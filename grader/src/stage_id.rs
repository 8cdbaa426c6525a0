//! The stages' names: one typed value per detector, written lowercase in reports,
//! the manifest, summaries and on the command line.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A stage, by name. What each one does is its [`crate::stages::Stage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum StageId {
    /// Exhaustive, bounded schedule exploration under the C11 memory model.
    Loom,
    /// Randomized (PCT) schedule exploration, replayable.
    Shuttle,
    /// Real OS threads, many workers, many rounds.
    Stress,
    /// ThreadSanitizer on real threads with an instrumented std.
    Tsan,
    /// Generated scenarios checked for linearizability against a sequential model.
    Spec,
}

impl StageId {
    /// Every stage, in the order a grade runs them (fastest verdict first).
    pub const ALL: [StageId; 5] = [
        StageId::Loom,
        StageId::Shuttle,
        StageId::Stress,
        StageId::Tsan,
        StageId::Spec,
    ];

    /// The stage's name in reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            StageId::Loom => "loom",
            StageId::Shuttle => "shuttle",
            StageId::Stress => "stress",
            StageId::Tsan => "tsan",
            StageId::Spec => "spec",
        }
    }

    /// Stages as a list for humans: `loom, tsan`.
    pub fn list(stages: &[StageId]) -> String {
        stages
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for StageId {
    /// The name, padded to a width when one is asked for (`{:<8}` in tables).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for StageId {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        StageId::ALL
            .into_iter()
            .find(|stage| stage.as_str() == name.trim())
            .ok_or_else(|| {
                format!("unknown stage `{name}`: the stages are loom, shuttle, stress, tsan, spec")
            })
    }
}

impl TryFrom<String> for StageId {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        name.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::StageId;

    #[test]
    fn stage_names_parse_print_and_serialize_alike() {
        for stage in StageId::ALL {
            assert_eq!(stage.as_str().parse::<StageId>(), Ok(stage));
            let wire = toml::Value::try_from(stage).unwrap();
            assert_eq!(wire.as_str(), Some(stage.as_str()));
            assert_eq!(wire.try_into::<StageId>(), Ok(stage));
        }
        assert_eq!(format!("[{:<8}]", StageId::Tsan), "[tsan    ]");
        assert_eq!(StageId::list(&[StageId::Loom, StageId::Tsan]), "loom, tsan");
        let problem = "helgrind".parse::<StageId>().unwrap_err();
        assert!(
            problem.contains("loom, shuttle, stress, tsan, spec"),
            "{problem}"
        );
    }
}
