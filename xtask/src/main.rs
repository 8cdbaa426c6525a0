//! `cargo xtask …`: see [`xtask::run`].

fn main() {
    // On Ctrl-C, end every build and runner the grade started (they run in their own
    // process groups, so the terminal's signal does not reach them), then leave
    // without writing a report: reports are written whole at the end, or not at all.
    let _ = ctrlc::set_handler(|| {
        racelab_grader::process::kill_all_children();
        // `watch` keeps the terminal in raw mode; give it back before leaving.
        let _ = crossterm::terminal::disable_raw_mode();
        eprintln!(
            "\ninterrupted: every process the grade started has been stopped; no report was written"
        );
        std::process::exit(130);
    });
    let code = xtask::run(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    std::process::exit(code)
}
