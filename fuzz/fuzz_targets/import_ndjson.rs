//! Stinger's NDJSON importer (`stinger-admin import stinger`): any bytes give records or an
//! error naming the bad lines, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stinger_api::service::import::ndjson;

fuzz_target!(|data: &[u8]| {
    for record in ndjson::records(data) {
        match record {
            Ok(film) => stinger_fuzz::exercise_record(&film),
            Err(err) => {
                std::hint::black_box(err.to_string());
            }
        }
    }
});
