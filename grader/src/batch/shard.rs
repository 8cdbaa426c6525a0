//! A class over many machines: `--shard K/N` grades a deterministic 1/N of the
//! students, and [`super::Summary::merge`] joins the shards' results into one.
//!
//! A student belongs to one shard by the SHA-256 of their submission folder's name,
//! so every machine agrees without talking, and adding a student moves no other.

use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (both from 1 on the command line: `2/4`), written `K/N`
/// in a summary too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shard {
    /// Which shard, from 1.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

impl Shard {
    /// Whether the student whose submission folder is `name` is in this shard.
    pub fn holds(self, name: &str) -> bool {
        let digest = Sha256::digest(name.as_bytes());
        let value = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        value % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{text}` is not a shard: write K/N, e.g. 1/4 (K from 1 to N)");
        let (index, count) = text.split_once('/').ok_or_else(bad)?;
        let index: u32 = index.trim().parse().map_err(|_| bad())?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Why shards cannot be merged: what one run would have graded is not exactly there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// A folder's summary records no `--shard` (a whole class, or `--only`).
    #[error("{0} holds no shard (its summary records no --shard K/N)")]
    NotAShard(String),
    /// The shards split the class in different numbers.
    #[error("the shards split the class differently: {0}")]
    Counts(String),
    /// The same shard twice.
    #[error("shard {shard} was given twice: {first} and {second}")]
    Duplicate {
        /// The shard.
        shard: Shard,
        /// The first folder that holds it.
        first: String,
        /// The second.
        second: String,
    },
    /// Shards that are not there.
    #[error("shard(s) {} of {count} missing: every shard must arrive before the merge", missing.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))]
    Missing {
        /// The indexes missing.
        missing: Vec<u32>,
        /// How many shards there are.
        count: u32,
    },
}

/// Checks that `shards` (each folder's name and the shard its summary records) are
/// every shard of one split exactly once.
pub fn check_complete(shards: &[(String, Option<Shard>)]) -> Result<(), ShardError> {
    let mut seen: Vec<(Shard, &str)> = Vec::new();
    for (folder, shard) in shards {
        let shard = shard.ok_or_else(|| ShardError::NotAShard(folder.clone()))?;
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == shard) {
            return Err(ShardError::Duplicate {
                shard,
                first: (*first).to_owned(),
                second: folder.clone(),
            });
        }
        seen.push((shard, folder));
    }
    let Some(&(first, _)) = seen.first() else {
        return Ok(());
    };
    if seen.iter().any(|(s, _)| s.count != first.count) {
        let splits: Vec<String> = seen.iter().map(|(s, f)| format!("{f} is {s}")).collect();
        return Err(ShardError::Counts(splits.join(", ")));
    }
    let missing: Vec<u32> = (1..=first.count)
        .filter(|k| !seen.iter().any(|(s, _)| s.index == *k))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ShardError::Missing {
            missing,
            count: first.count,
        })
    }
}

impl serde::Serialize for Shard {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Shard {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::{Shard, ShardError, check_complete};

    #[test]
    fn a_merge_needs_every_shard_once() {
        let shard = |k: u32, n: u32| Some(Shard { index: k, count: n });
        let of = |list: &[(&str, Option<Shard>)]| {
            let owned: Vec<(String, Option<Shard>)> =
                list.iter().map(|(f, s)| ((*f).to_owned(), *s)).collect();
            check_complete(&owned)
        };
        assert_eq!(of(&[("a", shard(2, 2)), ("b", shard(1, 2))]), Ok(()));
        let missing = of(&[("a", shard(1, 3))]).unwrap_err();
        assert_eq!(
            missing,
            ShardError::Missing {
                missing: vec![2, 3],
                count: 3
            }
        );
        assert!(missing.to_string().contains("shard(s) 2, 3 of 3 missing"));
        let twice = of(&[("a", shard(1, 2)), ("b", shard(1, 2)), ("c", shard(2, 2))]);
        assert!(
            twice
                .unwrap_err()
                .to_string()
                .contains("shard 1/2 was given twice: a and b")
        );
        assert!(matches!(
            of(&[("a", shard(1, 2)), ("b", shard(2, 3))]),
            Err(ShardError::Counts(_))
        ));
        assert_eq!(
            of(&[("whole", None)]),
            Err(ShardError::NotAShard("whole".into()))
        );
    }

    #[test]
    fn a_shard_is_written_k_of_n_in_a_summary() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Holder {
            shard: Shard,
        }
        let text = toml::to_string(&Holder {
            shard: Shard { index: 3, count: 8 },
        })
        .unwrap();
        assert_eq!(text.trim(), "shard = \"3/8\"");
        let back: Holder = toml::from_str(&text).unwrap();
        assert_eq!(back.shard, Shard { index: 3, count: 8 });
        assert!(toml::from_str::<Holder>("shard = \"9/8\"").is_err());
    }

    #[test]
    fn every_student_is_in_exactly_one_shard() {
        let shards: Vec<Shard> = (1..=3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        let mut sizes = [0; 3];
        for n in 0..300 {
            let name = format!("student-{n}");
            let holders: Vec<usize> = (0..3).filter(|&i| shards[i].holds(&name)).collect();
            assert_eq!(holders.len(), 1, "{name}");
            sizes[holders[0]] += 1;
        }
        assert!(sizes.iter().all(|&s| s > 60), "{sizes:?}");
        assert!(Shard { index: 1, count: 1 }.holds("anyone"));
    }

    #[test]
    fn shards_are_written_k_of_n() {
        assert_eq!(
            "2/4".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 4 }
        );
        for bad in ["0/4", "5/4", "1/0", "1", "a/b"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
