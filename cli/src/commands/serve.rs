//! `policy serve`: the command's entry; the server itself is [`crate::serve`].

use crate::args::ServeArgs;
use crate::exit::EXIT_OK;
use crate::serve::{serve, Options};

pub fn run(args: &ServeArgs) -> Result<u8, String> {
    serve(
        Options {
            pack: args.pack.clone(),
            addr: args.addr,
            decision_log: args.decision_log.clone(),
            require_tests: args.require_tests,
            max_body_bytes: args.max_body_bytes,
            timeout: std::time::Duration::from_millis(args.timeout_ms),
        },
        None,
    )
    .map(|_| EXIT_OK)
}
