//! `stinger-admin show film <slug>`: a film with the ids of everything an edit can target
//! (scores, credits, companies, trivia, credit scenes), and `stinger-admin search`.

use crate::exit::Failure;
use crate::options::{JsonOpt, RemoteOpts};
use crate::output::{self, BOLD};
use crate::remote::Remote;
use crate::remote::ops::{self, name_of, search::SearchSearch, show_film::CreditRow};
use clap::{Args, Subcommand};

/// What to show.
#[derive(Debug, Subcommand)]
pub enum ShowCommand {
    /// A film, with its scores, credits, companies, trivia and credit scenes and their ids
    /// (the ids `submit` takes).
    #[command(after_help = "Example:\n  stinger-admin show film m-butterfly-1993")]
    Film(FilmArgs),
}

/// Arguments of `show film`.
#[derive(Debug, Args)]
pub struct FilmArgs {
    /// The film's slug (`stinger-admin search` finds it).
    slug: String,
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

/// Find films, people and companies by name.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stinger-admin search butterfly\n  stinger-admin search \"deja vu\" --json"
)]
pub struct SearchArgs {
    /// What to look for (case and accents are ignored).
    query: String,
    /// How many results.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
    limit: u32,
    #[command(flatten)]
    remote: RemoteOpts,
    #[command(flatten)]
    output: JsonOpt,
}

pub async fn run(command: ShowCommand) -> anyhow::Result<()> {
    match command {
        ShowCommand::Film(args) => film(args).await,
    }
}

fn or_unknown(value: Option<String>) -> String {
    value.unwrap_or_else(|| "∅".to_owned())
}

/// A credit's role: the character played, else the job.
fn role_of(credit: &CreditRow) -> String {
    credit
        .character
        .as_ref()
        .map(|c| format!("as {c}"))
        .or_else(|| credit.job.clone())
        .unwrap_or_default()
}

async fn film(args: FilmArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote)?;
    let variables = ops::show_film::Variables {
        slug: args.slug.clone(),
    };
    let Some(film) = remote.run::<ops::ShowFilm>(variables).await?.film else {
        return Err(Failure::NotFound(format!(
            "there is no film {:?}: find its slug with `stinger-admin search <title>`",
            args.slug
        ))
        .into());
    };
    if args.output.json {
        return output::json(&film);
    }
    let year = film.year.map(|y| format!(" ({y})")).unwrap_or_default();
    anstream::println!(
        "{BOLD}{}{year}{BOLD:#}  {}  id {}",
        film.title,
        film.slug,
        film.id
    );
    let facts: Vec<String> = [
        film.release_date.clone().map(|d| format!("released {d}")),
        film.runtime_minutes.map(|m| format!("{m} min")),
        film.mpaa_rating.clone(),
        (!film.genres.is_empty()).then(|| film.genres.join(", ")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !facts.is_empty() {
        anstream::println!("  {}", facts.join(" · "));
    }
    if let Some(tagline) = &film.tagline {
        anstream::println!("  tagline: {tagline}");
    }
    if let Some(synopsis) = &film.synopsis {
        anstream::println!("  synopsis: {synopsis}");
    }

    section("Scores", &["ID", "SOURCE", "KIND", "VALUE", "VOTES"], {
        film.scores
            .iter()
            .map(|s| {
                vec![
                    s.id.clone(),
                    name_of(&s.source),
                    name_of(&s.kind),
                    s.value
                        .map_or("∅ (unknown)".to_owned(), |v| format!("{v}/{}", s.scale)),
                    or_unknown(s.vote_count.map(|v| v.to_string())),
                ]
            })
            .collect()
    });
    let credits = film
        .cast
        .edges
        .iter()
        .map(|e| &e.node)
        .chain(film.crew.edges.iter().map(|e| &e.node));
    section("Credits", &["ID", "DEPARTMENT", "PERSON", "ROLE"], {
        credits
            .map(|c| {
                vec![
                    c.id.clone(),
                    name_of(&c.department),
                    format!("{} ({})", c.person.name, c.person.slug),
                    role_of(c),
                ]
            })
            .collect()
    });
    section("Companies", &["ID", "ROLE", "COMPANY"], {
        film.companies
            .iter()
            .map(|c| {
                vec![
                    c.id.clone(),
                    name_of(&c.role),
                    format!("{} ({})", c.company.name, c.company.slug),
                ]
            })
            .collect()
    });
    section("Trivia", &["ID", "QUESTION", "ANSWER"], {
        film.trivia
            .iter()
            .map(|t| vec![t.id.clone(), t.question.clone(), t.answer.clone()])
            .collect()
    });
    section("Credit scenes", &["ID", "KIND", "POSITION", "HINT"], {
        film.credit_scenes
            .scenes
            .iter()
            .map(|s| {
                vec![
                    s.id.clone(),
                    name_of(&s.kind),
                    s.position.to_string(),
                    or_unknown(s.hint.clone()),
                ]
            })
            .collect()
    });
    Ok(())
}

/// A titled table, or "none" when it has no rows.
fn section(title: &str, headers: &[&str], rows: Vec<Vec<String>>) {
    anstream::println!("\n{BOLD}{title}{BOLD:#}");
    if rows.is_empty() {
        anstream::println!("  none");
    } else {
        output::table(headers, &rows);
    }
}

pub async fn search(args: SearchArgs) -> anyhow::Result<()> {
    let mut remote = Remote::new(&args.remote)?;
    let variables = ops::search::Variables {
        query: args.query.clone(),
        first: Some(i64::from(args.limit)),
    };
    let hits = remote.run::<ops::Search>(variables).await?.search;
    if args.output.json {
        return output::json(&hits);
    }
    if hits.is_empty() {
        eprintln!("Nothing is named like {:?}.", args.query);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = hits
        .iter()
        .map(|hit| match hit {
            SearchSearch::Film(f) => vec![
                "film".to_owned(),
                f.slug.clone(),
                match f.year {
                    Some(year) => format!("{} ({year})", f.title),
                    None => f.title.clone(),
                },
                f.id.clone(),
            ],
            SearchSearch::Person(p) => {
                vec![
                    "person".to_owned(),
                    p.slug.clone(),
                    p.name.clone(),
                    p.id.clone(),
                ]
            }
            SearchSearch::Company(c) => {
                vec![
                    "company".to_owned(),
                    c.slug.clone(),
                    c.name.clone(),
                    c.id.clone(),
                ]
            }
        })
        .collect();
    output::table(&["KIND", "SLUG", "NAME", "ID"], &rows);
    Ok(())
}
