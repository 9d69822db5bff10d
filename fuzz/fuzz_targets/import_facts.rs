//! The fact-sheet importer (`stinger-admin import facts`): any bytes give a record or an
//! error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stinger_api::service::import::facts;

fuzz_target!(|data: &[u8]| {
    match facts::parse(data) {
        Ok(film) => stinger_fuzz::exercise_record(&film),
        Err(err) => {
            std::hint::black_box(err.to_string());
        }
    }
});
