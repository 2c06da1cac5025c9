//! The `policy` binary: all the work is in the library, see `lib.rs`.

use std::process::ExitCode;

// Many small allocations from two threads at once: mimalloc's per-thread heaps keep them
// from contending the way the system allocator's arenas do (measured: a third of the run).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Unlocked handles: `serve` logs from other threads, which a lock held here would block.
    let code = policy_cli::main_with(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    ExitCode::from(code)
}
