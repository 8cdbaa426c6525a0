//! The swimlane's model: a failing execution as lanes of steps, with what to draw
//! over them. The page draws only this; `from_steps.rs` builds it from the recorded
//! steps, so a new trace vocabulary needs only a new adapter.

/// One failing execution, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Swimlane {
    /// The threads, one lane each, in drawing order.
    pub threads: Vec<String>,
    /// The steps shown, in the order they happened (time flows down).
    pub steps: Vec<Step>,
    /// Earlier steps left out to keep the drawing short.
    pub folded: usize,
    /// The locks held, each as a bar beside its lane.
    pub holds: Vec<Hold>,
    /// The happens-before edge whose absence made the failure, drawn dashed.
    pub missing_edge: Option<MissingEdge>,
    /// A deadlock's wait-for edges, empty when the execution did not deadlock.
    pub wait_for: Vec<WaitFor>,
}

/// One step of one thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Index into [`Swimlane::threads`].
    pub lane: usize,
    /// What kind of operation, for its shape and colour.
    pub kind: StepKind,
    /// The operation as code, e.g. `cell#1.load() → 1000`.
    pub text: String,
    /// The shared object it touched and the value that object holds after it, when
    /// the step changed it: `("cell#1", "1000")`.
    pub shared: Option<(String, String)>,
    /// Where in the source the step was made.
    pub place: Option<Place>,
    /// Why the step matters to the failure, if it does.
    pub mark: Option<Mark>,
}

/// A line of a source file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    /// The file as the report names it: relative to the subject's folder
    /// (`src/lib.rs`), or else to the workspace.
    pub file: String,
    /// The line, from 1.
    pub line: u32,
}

/// The kinds of step the drawing tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Reads shared memory (a load, a read through a guard).
    Read,
    /// Writes shared memory.
    Write,
    /// Reads and writes at once (`fetch_add`, `swap`, `compare_exchange`).
    ReadModifyWrite,
    /// Takes a lock, or wakes from a wait holding it again.
    Lock,
    /// Releases a lock.
    Unlock,
    /// Asks for something it may have to wait for (a lock, a join, a notify).
    Wait,
    /// Thread life: spawn, join, notify, fence and the rest.
    Other,
}

impl StepKind {
    /// The class the page's CSS styles, e.g. `read`.
    pub fn class(self) -> &'static str {
        match self {
            StepKind::Read => "read",
            StepKind::Write => "write",
            StepKind::ReadModifyWrite => "rmw",
            StepKind::Lock => "lock",
            StepKind::Unlock => "unlock",
            StepKind::Wait => "wait",
            StepKind::Other => "other",
        }
    }
}

/// Why a step is highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// One of a data race's two accesses.
    Racing,
    /// A load that returned a value already replaced.
    Stale,
    /// The thread blocked here for good.
    Blocked,
    /// A read whose value another thread overwrote before the reader wrote back, or
    /// that overwriting write: the two halves of a lost update or check-then-act.
    Conflict,
    /// A `select` dropped the other branch's future, which had already changed
    /// something: its work stops half-way (cancellation).
    Cancelled,
}

impl Mark {
    /// The class the page's CSS styles, e.g. `racing`.
    pub fn class(self) -> &'static str {
        match self {
            Mark::Racing => "racing",
            Mark::Stale => "stale",
            Mark::Blocked => "blocked",
            Mark::Conflict => "conflict",
            Mark::Cancelled => "cancelled",
        }
    }

    /// The word shown beside the step.
    pub fn label(self) -> &'static str {
        match self {
            Mark::Racing => "racing",
            Mark::Stale => "stale read",
            Mark::Blocked => "blocked",
            Mark::Conflict => "conflict",
            Mark::Cancelled => "cancels half-way",
        }
    }
}

/// A lock held by one thread over a run of steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    /// Index into [`Swimlane::threads`].
    pub lane: usize,
    /// The lock, e.g. `Mutex#1`.
    pub object: String,
    /// The first step (index into [`Swimlane::steps`]) it is held over.
    pub from: usize,
    /// The last step it is held over; the last step of all when never released.
    pub to: usize,
}

/// Two steps that nothing ordered: `from` should have happened before `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingEdge {
    /// The earlier step (a write), index into [`Swimlane::steps`].
    pub from: usize,
    /// The later step that did not see it in order.
    pub to: usize,
}

/// A blocked thread and what it waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitFor {
    /// The blocked thread.
    pub thread: String,
    /// What it waits for: a lock, a condition variable, a thread.
    pub object: String,
    /// The thread that holds it (or must end or notify), when one does.
    pub holder: Option<String>,
}
