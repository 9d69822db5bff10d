//! The demo data a fresh installation starts with: all of the vega movies and M. Butterfly,
//! fully described. Both files are embedded, so the server needs nothing beside itself.

use super::import::record::FilmRecord;
use super::import::{ImportError, ImportReport, facts, import_films, vega};
use chrono::{NaiveDate, Utc};
use sea_orm::DatabaseConnection;

/// `api/data/vega-movies.json`: 3,201 films from vega-datasets (BSD-3-Clause; see `api/data/LICENSE-vega-datasets`).
pub const VEGA_MOVIES: &[u8] = include_bytes!("../../data/vega-movies.json");

/// `api/data/m-butterfly.facts.json`: the fact sheet of M. Butterfly (1993).
pub const M_BUTTERFLY_FACTS: &[u8] = include_bytes!("../../data/m-butterfly.facts.json");

/// M. Butterfly's synopsis, in our own words. Like the page it comes from, it wrongly sets the
/// story in the 1980s: the first correction an editor would make.
const M_BUTTERFLY_SYNOPSIS: &str = "In 1980s Beijing, a French embassy accountant falls for a \
    celebrated Peking Opera diva, and a love affair built on what he wants to believe follows him \
    for twenty years.";

/// M. Butterfly's plot, in our own words (spoilers).
const M_BUTTERFLY_PLOT: &str = "René Gallimard, a junior accountant at the French embassy in \
    Beijing in 1964, sees the opera singer Song Liling perform the death scene of Madame Butterfly \
    and is captivated. He begins a secret affair with Song, whom he believes to be a woman, and \
    rises in the embassy by passing on what he hears about the Americans in Vietnam; Song, in fact a \
    man working for the Communist Party, reports every word. The Cultural Revolution sweeps Song away \
    and Gallimard is sent home to Paris, where Song reappears in 1968 and persuades him to carry \
    diplomatic papers out of the embassy. Years later both are arrested for espionage. At the trial \
    Gallimard learns the truth in open court, and in prison he stages Butterfly's final scene himself, \
    in costume and make-up, before taking his own life.";

/// Parses the embedded vega movies as of `today` (dates after it are doubtful).
pub fn vega_records(today: NaiveDate) -> Result<vega::VegaParse, ImportError> {
    vega::parse(VEGA_MOVIES, today)
}

/// M. Butterfly as the demo data holds it: the fact sheet with our synopsis and plot. (The
/// end-to-end tests import it alone as their one fully described film.)
pub fn m_butterfly() -> Result<FilmRecord, ImportError> {
    let mut butterfly = facts::parse(M_BUTTERFLY_FACTS)?;
    butterfly.synopsis = Some(M_BUTTERFLY_SYNOPSIS.to_owned());
    butterfly.plot = Some(M_BUTTERFLY_PLOT.to_owned());
    Ok(butterfly)
}

/// Loads the demo data: the vega movies, then M. Butterfly (two imports). Safe to run again:
/// it adds nothing that is already present.
pub async fn load(db: &DatabaseConnection) -> Result<ImportReport, ImportError> {
    let parsed = vega_records(Utc::now().date_naive())?;
    let mut report = import_films(db, parsed.films, "vega-datasets movies.json").await?;
    report.notes = parsed.notes;
    let second = import_films(db, vec![m_butterfly()?], "m-butterfly.facts.json").await?;
    report.films_added += second.films_added;
    report.films_unchanged += second.films_unchanged;
    report.people_added += second.people_added;
    report.companies_added += second.companies_added;
    report.credits_added += second.credits_added;
    report.company_links_added += second.company_links_added;
    report.scores_added += second.scores_added;
    report.trivia_added += second.trivia_added;
    report.credit_scenes_added += second.credit_scenes_added;
    report.revisions_written += second.revisions_written;
    report.elapsed += second.elapsed;
    Ok(report)
}
