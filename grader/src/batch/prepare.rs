//! Building what every subject shares, once, before any subject is graded: loom,
//! shuttle, the facade and the harness for each selected stage's flavor, and the
//! ThreadSanitizer toolchain with its instrumented std (provisioned if allowed).
//!
//! It builds the runner of a crate the lab knows compiles (the exercise's first
//! reference solution, else the crate as shipped), so every dependency lands in the
//! flavor's shared target directory; a class's subjects then build only their own
//! crate, in parallel, and no subject waits behind another's grade for them.

use crate::build::{self, Flavor};
use crate::cores;
use crate::lab::Lab;
use crate::manifest::Exercise;
use crate::options::{GradeOptions, Regrade};
use crate::stage_id::StageId;
use crate::stages;
use crate::subject::Subject;
use crate::toolchain;

/// What preparing one flavor came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The stage whose flavor it is.
    pub stage: StageId,
    /// `Err` says why its dependencies are not built: the stage's own grades will
    /// meet the same problem and report it.
    pub outcome: Result<(), String>,
}

/// Builds the shared dependencies of every stage `options` selects, for `exercise`.
/// `say` hears what is being done, stage by stage (a cold build takes minutes).
pub fn prepare(
    lab: &Lab,
    exercise: &Exercise,
    options: &GradeOptions,
    say: &mut dyn FnMut(StageId, &str),
) -> Vec<Prepared> {
    let subject = exercise
        .solutions
        .iter()
        .find_map(|dir| Subject::locate(lab, exercise, Some(&lab.root.join(dir))).ok())
        .or_else(|| Subject::locate(lab, exercise, None).ok());
    let Some(subject) = subject else {
        return Vec::new();
    };
    let mut done: Vec<Flavor> = Vec::new();
    let mut prepared = Vec::new();
    for stage in stages::ALL {
        let id = stage.id();
        let flavor = stage.flavor();
        if !options.stages.contains(&id) || done.contains(&flavor) {
            continue;
        }
        done.push(flavor);
        let tsan = if flavor == Flavor::Tsan {
            say(id, "looking for a toolchain with an instrumented std");
            match toolchain::find_tsan(options.provision, &mut |what| say(id, what)) {
                Ok(toolchain) => Some(toolchain),
                Err(unavailable) => {
                    prepared.push(Prepared {
                        stage: id,
                        outcome: Err(unavailable.0),
                    });
                    continue;
                }
            }
        } else {
            None
        };
        say(
            id,
            &format!("building what every {} runner shares", flavor.name()),
        );
        // Built for the dependencies it lands, not for a grade after an edit.
        let built = {
            let _cores = cores::hold(lab, cores::Use::Shared);
            build::build_runner(
                lab,
                exercise,
                &subject,
                flavor,
                tsan.as_ref(),
                Regrade::Once,
            )
        };
        prepared.push(Prepared {
            stage: id,
            outcome: built.map(|_| ()).map_err(|failure| failure.to_string()),
        });
    }
    prepared
}
