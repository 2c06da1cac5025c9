//! The `policy` binary: all the work is in the library, see `lib.rs`.

use std::process::ExitCode;

// Many small allocations from two threads at once: mimalloc's per-thread heaps keep them
// from contending the way the system allocator's arenas do (measured: a third of the run).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let code = policy_cli::main_with(
        std::env::args_os(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
