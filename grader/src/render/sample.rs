//! Typed steps for the renderers' tests, written as briefly as the tables show them.

use racelab_harness::trace::{
    Event, Exchange, LockMode, Modify, Object, ObjectKind, Ordering, Place, Step, Thread, Value,
};

/// `main`, `T1`, …
pub fn thread(label: &str) -> Thread {
    Thread::try_from(label.to_owned()).expect("a thread label")
}

/// Object number `number` of `kind`, unnamed.
pub fn object(kind: ObjectKind, number: u32) -> Object {
    Object {
        kind,
        number,
        name: None,
    }
}

pub fn mutex(number: u32) -> Object {
    object(ObjectKind::Mutex, number)
}

pub fn condvar(number: u32) -> Object {
    object(ObjectKind::Condvar, number)
}

/// A step of `thread` at line `line` of `file`.
pub fn step_in(file: &str, thread_label: &str, event: Event, line: u32) -> Step {
    Step {
        thread: thread(thread_label),
        event,
        place: Some(Place {
            file: file.into(),
            line,
            column: 9,
        }),
        callers: Vec::new(),
    }
}

/// A step at line `line` of `/lab/ex/src/lib.rs`.
pub fn step(thread_label: &str, event: Event, line: u32) -> Step {
    step_in("/lab/ex/src/lib.rs", thread_label, event, line)
}

pub fn requested(object: Object) -> Event {
    Event::LockRequested {
        object,
        mode: LockMode::Exclusive,
    }
}

pub fn acquired(object: Object) -> Event {
    Event::LockAcquired {
        object,
        mode: LockMode::Exclusive,
    }
}

pub fn released(object: Object) -> Event {
    Event::LockReleased { object }
}

pub fn try_lock(object: Object, acquired: bool) -> Event {
    Event::TryLock {
        object,
        mode: LockMode::Exclusive,
        acquired,
    }
}

pub fn wait(condvar: Object, mutex: Object) -> Event {
    Event::Wait { condvar, mutex }
}

pub fn woken(condvar: Object, mutex: Object, spurious: bool) -> Event {
    Event::Woken {
        condvar,
        mutex,
        spurious,
    }
}

pub fn notify(condvar: Object) -> Event {
    Event::Notify {
        condvar,
        all: false,
    }
}

pub fn join_requested(label: &str) -> Event {
    Event::JoinRequested {
        thread: thread(label),
    }
}

pub fn load(object: Object, ordering: Option<Ordering>, value: impl Into<Value>) -> Event {
    Event::Load {
        object,
        ordering,
        value: value.into(),
    }
}

pub fn store(object: Object, ordering: Option<Ordering>, value: impl Into<Value>) -> Event {
    Event::Store {
        object,
        ordering,
        value: value.into(),
    }
}

pub fn modify(
    object: Object,
    operation: Modify,
    operand: impl Into<Value>,
    ordering: Ordering,
    previous: impl Into<Value>,
) -> Event {
    Event::Modify {
        object,
        operation,
        operand: operand.into(),
        ordering,
        previous: previous.into(),
    }
}

pub fn compare_exchange(
    object: Object,
    expected: i64,
    new: i64,
    ordering: Ordering,
    outcome: Result<i64, i64>,
) -> Event {
    Event::CompareExchange {
        object,
        weak: true,
        expected: expected.into(),
        new: new.into(),
        success: ordering,
        failure: ordering,
        outcome: Exchange::from(outcome),
    }
}
