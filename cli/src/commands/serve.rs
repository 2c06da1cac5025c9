//! `policy serve`: the command's entry; the server itself is [`crate::serve`].

use std::time::Duration;

use super::{load, Io};
use crate::args::ServeArgs;
use crate::exit::EXIT_OK;
use crate::messages::{browse as b, resolve};
use crate::serve::{serve_with_previous, Limits, Options};

pub fn run(io: &mut Io<'_>, args: &ServeArgs) -> Result<u8, String> {
    let defaults = Limits::default();
    // The previous version is read once, before listening: a wrong path stops the start
    // rather than leaving a page without its "what changed".
    let previous = match &args.previous {
        None => None,
        Some(dir) => {
            // Told in the language chosen for the pack served, the load's own errors too.
            let lang = resolve(io.lang, policy_engine::pack_language(&args.pack));
            Some(
                load(dir, io.error_format, Some(lang))
                    .map_err(|e| b::B_PREVIOUS_BAD.fill(lang, &[&dir.display(), &e]))?,
            )
        }
    };
    serve_with_previous(
        Options {
            pack: args.pack.clone(),
            addr: args.addr,
            decision_log: args.decision_log.clone(),
            require_tests: args.require_tests,
            max_body_bytes: args.max_body_bytes,
            timeout: Duration::from_millis(args.timeout_ms),
        },
        Limits {
            max_applications: args.max_applications,
            max_connections: args.max_connections,
            workers: args.workers.unwrap_or(defaults.workers),
            queue: args.queue,
            read_timeout: Duration::from_millis(args.read_timeout_ms),
            fsync_log: args.fsync_log,
            ..defaults
        },
        previous,
        None,
    )
    .map(|_| EXIT_OK)
}
