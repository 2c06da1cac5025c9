//! `policy serve`: the command's entry; the server itself is [`crate::serve`].

use std::time::Duration;

use crate::args::ServeArgs;
use crate::exit::EXIT_OK;
use crate::serve::{serve_with, Limits, Options};

pub fn run(args: &ServeArgs) -> Result<u8, String> {
    let defaults = Limits::default();
    serve_with(
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
        None,
    )
    .map(|_| EXIT_OK)
}
