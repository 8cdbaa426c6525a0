//! `cargo xtask …`: see `xtask::main`.

fn main() {
    xtask::main()
}
