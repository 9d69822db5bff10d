//! The vega movies importer (`stinger-admin import vega-movies`): any bytes give records and
//! notes or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stinger_api::service::import::vega;

fuzz_target!(|data: &[u8]| {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    if let Ok(parsed) = vega::parse(data, today) {
        for film in &parsed.films {
            stinger_fuzz::exercise_record(film);
        }
        std::hint::black_box(parsed.notes.len());
    }
});
