//! The facade's promise that a fix compiles the same under every backend: its types
//! keep `std`'s `Send`/`Sync` shape whichever backend feature is on, so a subject
//! cannot compile for one stage and fail for another. trybuild compiles
//! `shape/std_shape.rs` (static assertions, both ways) against the facade with this
//! test's features; run it once per backend:
//! `cargo test -p racelab-sync --test shape` and again with `--features loom`,
//! `--features shuttle`.

#[test]
fn the_facade_keeps_the_send_and_sync_shape_of_std() {
    trybuild::TestCases::new().pass("tests/shape/std_shape.rs");
}
