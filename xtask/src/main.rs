//! `cargo run -p xtask -- …`: see [`xtask::main`]. `cargo xtask` runs the same program
//! through `launcher/`.

fn main() {
    xtask::main()
}
