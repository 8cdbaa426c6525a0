//! The trace's typed steps as the text the tables were first written against: the
//! bridge that lets the table code read [`racelab_harness::trace::Step`]s while it
//! moves to matching the typed events itself (`render/`).

use racelab_harness::trace::{Event, Exchange, LockMode, Once, Step};

/// One step as text: its thread (`T1`), action (`load`, `fetch_add(100)`, `lock`,
/// `spawn T1`), value, object (`Mutex#1`), `file:line`, callers and ordering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceStep {
    pub thread: String,
    pub action: String,
    pub value: Option<String>,
    pub object: Option<String>,
    pub location: Option<String>,
    pub callers: Vec<String>,
    pub ordering: Option<String>,
}

/// `steps` as text, one for one.
pub fn texts(steps: &[Step]) -> Vec<TraceStep> {
    steps.iter().map(text).collect()
}

fn text(step: &Step) -> TraceStep {
    let (action, value) = parts(&step.event);
    TraceStep {
        thread: step.thread.to_string(),
        action,
        value,
        object: step.event.object().map(ToString::to_string),
        location: step.place.as_ref().map(ToString::to_string),
        callers: step.callers.iter().map(ToString::to_string).collect(),
        ordering: step.event.ordering().map(|o| o.to_string()),
    }
}

/// The action and the value.
fn parts(event: &Event) -> (String, Option<String>) {
    let shown = |v: &dyn ToString| Some(v.to_string());
    let exchanged = |outcome: &Exchange| match outcome {
        Exchange::Stored { previous } => format!("Ok({previous})"),
        Exchange::Refused { actual } => format!("Err({actual})"),
    };
    match event {
        Event::Load { value, .. } => ("load".into(), shown(value)),
        Event::Store { value, .. } => ("store".into(), shown(value)),
        Event::Modify {
            operation,
            operand,
            previous,
            ..
        } => (
            format!("{}({operand})", operation.method()),
            shown(previous),
        ),
        Event::CompareExchange {
            weak,
            expected,
            new,
            outcome,
            ..
        } => {
            let name = if *weak {
                "compare_exchange_weak"
            } else {
                "compare_exchange"
            };
            (
                format!("{name}({expected} → {new})"),
                Some(exchanged(outcome)),
            )
        }
        Event::FetchUpdate { outcome, .. } => ("fetch_update".into(), Some(exchanged(outcome))),
        Event::Fence { .. } => ("fence".into(), None),
        Event::GuardRead { value, .. } => ("read".into(), value.as_ref().map(|v| v.to_string())),
        Event::GuardWrite { value, .. } => ("write".into(), value.as_ref().map(|v| v.to_string())),
        Event::LockRequested { .. } => ("acquire".into(), None),
        Event::LockAcquired { mode, .. } => {
            let action = match mode {
                LockMode::Exclusive => "lock",
                LockMode::Read => "read-lock",
                LockMode::Write => "write-lock",
            };
            (action.into(), None)
        }
        Event::LockReleased { .. } => ("unlock".into(), None),
        Event::TryLock { acquired, .. } => (
            "try_lock".into(),
            Some(if *acquired { "acquired" } else { "busy" }.into()),
        ),
        Event::Wait { mutex, .. } => ("wait".into(), shown(mutex)),
        Event::Woken {
            mutex, spurious, ..
        } => {
            let action = if *spurious {
                "woken spuriously"
            } else {
                "woken"
            };
            (action.into(), shown(mutex))
        }
        Event::Notify { all, .. } => {
            let action = if *all { "notify_all" } else { "notify_one" };
            (action.into(), None)
        }
        Event::Once { step, .. } => {
            let (action, value) = match step {
                Once::GotSome => ("get", Some("Some(..)")),
                Once::GotNone => ("get", Some("None")),
                Once::SetStored => ("set", Some("Ok")),
                Once::SetRefused => ("set", Some("Err")),
                Once::AlreadySet => ("get_or_init", Some("was set")),
                Once::AfterInit => ("get_or_init", Some("after init")),
                Once::Initialised => ("init", None),
            };
            (action.into(), value.map(Into::into))
        }
        Event::Spawn { thread } => (format!("spawn {thread}"), None),
        Event::JoinRequested { thread } => (format!("joining {thread}"), None),
        Event::Joined { thread } => (format!("join {thread}"), None),
        Event::Call {
            function,
            arguments,
        } => {
            let arguments: Vec<String> = arguments.iter().map(ToString::to_string).collect();
            (format!("▶ {function}({})", arguments.join(", ")), None)
        }
        Event::Return { function, value } => (
            format!("◀ {function}"),
            value.as_ref().map(|v| v.to_string()),
        ),
    }
}
