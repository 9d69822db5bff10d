//! The guard in front of the GraphQL parser (`http::graphql::request::check_document`, which
//! every HTTP and WebSocket request passes): the pre-parse nesting scan must refuse every
//! document that would overflow the parser's stack. Each input runs on a thread with the
//! stack a server worker has (2 MiB), so a document the scan lets through and the parser
//! cannot handle crashes the target instead of passing unnoticed; anything else (refused,
//! syntax error, accepted) is fine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stinger_api::config::Limits;
use stinger_api::http::graphql::check_document;
use stinger_api::http::negotiation::ResponseFormat;

/// Rust's default for spawned threads, which actix-web's workers and tokio's are.
const WORKER_STACK_BYTES: usize = 2 * 1024 * 1024;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let query = query.to_owned();
    std::thread::Builder::new()
        .stack_size(WORKER_STACK_BYTES)
        .spawn(move || {
            let mut request = async_graphql::Request::new(query);
            let limits = Limits::default();
            let checked = check_document(&mut request, ResponseFormat::Json, &limits, false);
            std::hint::black_box(checked.is_ok());
        })
        .expect("a thread")
        .join()
        .expect("the check does not panic");
});
