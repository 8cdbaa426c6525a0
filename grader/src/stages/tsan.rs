//! The ThreadSanitizer stage.
//!
//! Not built yet: until it is, every grade reports it as `skipped` with this reason,
//! so no grade can pass without it.

/// Why the stage did not run.
pub const NOT_BUILT: &str = "the ThreadSanitizer stage is not part of this grader yet; the other stages' results stand, the verdict cannot be `pass`";
