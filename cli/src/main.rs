//! The `policy` binary: all the work is in the library, see `lib.rs`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = policy_cli::main_with(
        std::env::args_os(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
