//! What the fuzz targets share: the pure steps every import applies to a parsed record, so a
//! record that parses but then breaks them is found too.

use stinger_api::service::import::record::FilmRecord;
use stinger_api::service::import::{company_slug, person_slug};
use stinger_api::service::search::search_key;
use stinger_api::text::film_slug;

/// Runs the import's per-record derivations (slugs, search keys, scene confirmations) on
/// `record`, and checks it goes out as NDJSON and comes back (what `export` writes, `import`
/// must read).
pub fn exercise_record(record: &FilmRecord) {
    use chrono::Datelike;
    let slug = record
        .slug
        .clone()
        .unwrap_or_else(|| film_slug(&record.title, record.release_date.map(|d| d.year())));
    std::hint::black_box(slug);
    std::hint::black_box(search_key(&record.title));
    std::hint::black_box(record.scenes_confirmed());
    for credit in &record.credits {
        std::hint::black_box(person_slug(&credit.person));
        std::hint::black_box(search_key(&credit.person.name));
    }
    for link in &record.companies {
        std::hint::black_box(company_slug(&link.company));
        std::hint::black_box(search_key(&link.company.name));
    }
    let line = serde_json::to_string(record).expect("a record always serialises");
    let again: Result<FilmRecord, _> = serde_json::from_str(&line);
    assert!(
        again.is_ok(),
        "an exported record does not read back: {line}"
    );
}
