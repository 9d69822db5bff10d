//! Every relation goes through a DataLoader: the number of SQL statements a request runs depends
//! on the query's shape, never on how many rows come back.

use std::time::Duration;
use stinger_tests::{Dataset, Engine, both_engines, spawn_app_with};

fn film_list(first: usize) -> String {
    format!(
        "{{ films(first: {first}, orderBy: {{ field: RELEASE_DATE, direction: DESC }}) {{ edges {{ node {{ title \
         directors {{ name }} scores {{ source value }} companies {{ role company {{ name }} }} genres }} }} }} }}"
    )
}

const FILM_PAGE: &str = r#"{ film(slug: "m-butterfly-1993") {
    title genres creditScenes { answer scenes { hint } }
    cast(first: 20) { totalCount edges { node { character person { name credits(first: 3) { edges { node { film { title year } } } } } } } }
    crew { edges { node { job person { name } } } }
    directors { name }
    scores { source value normalized }
    trivia { question answer }
    companies { role company { name films(first: 2) { edges { node { title } } } } }
} }"#;

both_engines!(statement_counts_depend_on_the_query_shape_not_on_row_counts_on_every_engine);
async fn statement_counts_depend_on_the_query_shape_not_on_row_counts_on_every_engine(
    engine: Engine,
) {
    // A generous batching window keeps the count exact on a loaded CI machine, where polling
    // 50 resolvers in a debug build can outlast the default 1 ms.
    let app = spawn_app_with(engine, Dataset::Demo, |c| {
        c.limits.loader_delay = Duration::from_millis(25)
    })
    .await;
    // Warm the pool so connection setup does not count.
    app.count_statements(&film_list(1)).await;

    let five = app.count_statements(&film_list(5)).await;
    let fifty = app.count_statements(&film_list(50)).await;
    eprintln!("{engine:?}: 5 films → {five} statements, 50 films → {fifty}");
    assert_eq!(
        five, fifty,
        "{engine:?}: 5 films ran {five} statements, 50 ran {fifty}"
    );
    assert!(
        five <= 8,
        "{engine:?}: a film list with relations runs {five} statements"
    );

    let page = app.count_statements(FILM_PAGE).await;
    eprintln!("{engine:?}: the film page runs {page} statements");
    assert!(
        page <= 14,
        "{engine:?}: the film page runs {page} statements"
    );
}
