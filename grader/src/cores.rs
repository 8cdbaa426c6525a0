//! The cores lock: keeps real-thread measurements honest when several grades share a
//! machine (parallel tests, a student and a watch loop, a batch with `--jobs`).
//!
//! A stress or ThreadSanitizer run needs the cores to itself: a lost update shows only
//! when workers truly overlap, and on a machine busy compiling they run one after
//! another and the race hides (the lesson's "one core hides it"). So real-thread runs
//! take the lock exclusively, while builds and exploring runs share it. The lock is
//! std's `File::lock` (`flock`) on `target/racelab/cores.lock`: the kernel drops it
//! when a process dies.

use crate::lab::Lab;
use std::fs::{File, OpenOptions};

/// How a step uses the machine's cores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Builds and exploring runs: any number at once.
    Shared,
    /// Real-thread runs: alone.
    Exclusive,
}

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub struct Held {
    _file: File,
}

/// Waits for the cores lock in `mode`. Returns `None` (and the step runs unguarded)
/// if the lock file cannot be opened, say on a read-only `target/`.
pub fn hold(lab: &Lab, mode: Use) -> Option<Held> {
    let path = lab.work_dir().join("cores.lock");
    std::fs::create_dir_all(lab.work_dir()).ok()?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .ok()?;
    loop {
        let locked = match mode {
            Use::Shared => file.lock_shared(),
            Use::Exclusive => file.lock(),
        };
        match locked {
            Ok(()) => return Some(Held { _file: file }),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Use, hold};
    use crate::lab::Lab;
    use std::sync::mpsc;
    use std::time::Duration;

    fn lab(root: &std::path::Path) -> Lab {
        Lab {
            root: root.to_owned(),
            manifest: crate::manifest::Manifest::parse("format = 1\nexercises = []").unwrap(),
        }
    }

    #[test]
    fn an_exclusive_holder_waits_for_shared_ones_and_shared_ones_coexist() {
        let dir = tempfile::tempdir().unwrap();
        let lab = lab(dir.path());
        let first = hold(&lab, Use::Shared).unwrap();
        let second = hold(&lab, Use::Shared).expect("two shared holders at once");
        let (sent, got) = mpsc::channel();
        let waiting = {
            let lab = lab.clone();
            std::thread::spawn(move || {
                let _alone = hold(&lab, Use::Exclusive).unwrap();
                sent.send(()).unwrap();
            })
        };
        assert!(
            got.recv_timeout(Duration::from_millis(200)).is_err(),
            "exclusive while shared"
        );
        drop((first, second));
        assert!(
            got.recv_timeout(Duration::from_secs(5)).is_ok(),
            "exclusive never granted"
        );
        waiting.join().unwrap();
    }
}
