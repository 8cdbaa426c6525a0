//! `cargo xtask …`: see [`xtask::run`].

fn main() {
    let code = xtask::run(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    std::process::exit(code)
}
