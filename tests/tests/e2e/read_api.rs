//! The public read API over real HTTP, on both engines: queries, filters, ordering, paging,
//! search and global ids, with expected results derived from the demo data file.

use chrono::NaiveDate;
use serde_json::{Value, json};
use std::collections::HashSet;
use stinger_api::service::demo;
use stinger_tests::{Dataset, Engine, TestApp, both_engines, spawn_app};

/// The vega records, as the tests read them (independently of the importer).
fn vega() -> Vec<Value> {
    serde_json::from_slice(demo::VEGA_MOVIES).unwrap()
}

fn year(record: &Value) -> Option<i32> {
    record["Release Date"]
        .as_str()
        .and_then(|d| NaiveDate::parse_from_str(d, "%b %d %Y").ok())
        .map(|d| chrono::Datelike::year(&d))
}

fn titled(record: &Value) -> bool {
    record["Title"].is_number()
        || record["Title"]
            .as_str()
            .is_some_and(|t| !t.trim().is_empty())
}

/// Walks every page of a film list, checking cursors and counts; returns the nodes in order.
async fn walk(app: &TestApp, args: &str, page: usize, fields: &str) -> (Vec<Value>, u64) {
    let mut nodes = Vec::new();
    let mut after: Option<String> = None;
    let mut total = None;
    loop {
        let after_arg = after
            .as_ref()
            .map(|c| format!(", after: \"{c}\""))
            .unwrap_or_default();
        let query = format!(
            "{{ films(first: {page}{after_arg}{args}) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage endCursor }} edges {{ cursor node {{ id {fields} }} }} }} }}"
        );
        let data = app.data(&query, json!({})).await;
        let films = &data["films"];
        let count = films["totalCount"].as_u64().unwrap();
        assert_eq!(
            *total.get_or_insert(count),
            count,
            "totalCount is stable across pages"
        );
        let edges = films["edges"].as_array().unwrap();
        assert!(edges.len() <= page);
        assert_eq!(films["pageInfo"]["hasPreviousPage"], after.is_some());
        nodes.extend(edges.iter().map(|e| e["node"].clone()));
        if !films["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        assert_eq!(edges.len(), page, "only the last page is short");
        after = films["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    (nodes, total.unwrap_or(0))
}

both_engines!(film_lists_filter_order_and_page_without_gaps_on_every_engine);
async fn film_lists_filter_order_and_page_without_gaps_on_every_engine(engine: Engine) {
    let records = vega();
    let horror_90s = records
        .iter()
        .filter(|r| {
            titled(r)
                && r["Major Genre"] == "Horror"
                && year(r).is_some_and(|y| (1990..=1999).contains(&y))
        })
        .count();
    let rated_pg13 = records
        .iter()
        .filter(|r| titled(r) && r["MPAA Rating"] == "PG-13")
        .count();
    let imdb_known = records
        .iter()
        .filter(|r| titled(r) && r["IMDB Rating"].is_number())
        .count()
        + 1;
    let rt_80 = records
        .iter()
        .filter(|r| {
            titled(r)
                && r["Rotten Tomatoes Rating"]
                    .as_f64()
                    .is_some_and(|v| v >= 80.0)
        })
        .count();
    let app = spawn_app(engine, Dataset::Demo).await;

    // Every page of a filtered list: no gaps, no duplicates, totalCount right.
    let (nodes, total) = walk(
        &app,
        ", filter: { genre: \"horror\", yearFrom: 1990, yearTo: 1999 }",
        7,
        "year genres",
    )
    .await;
    assert_eq!(total as usize, horror_90s, "{engine:?}");
    assert_eq!(nodes.len(), horror_90s, "{engine:?}: every film once");
    let ids: HashSet<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), nodes.len(), "{engine:?}: no duplicates");
    for node in &nodes {
        assert!((1990..=1999).contains(&node["year"].as_i64().unwrap()));
        assert_eq!(node["genres"], json!(["Horror"]));
    }

    // Ordering by release date, newest first, unknown dates last.
    let (nodes, _) = walk(
        &app,
        ", filter: { mpaaRating: \"pg-13\" }, orderBy: { field: RELEASE_DATE, direction: DESC }",
        100,
        "releaseDate",
    )
    .await;
    assert_eq!(nodes.len(), rated_pg13, "{engine:?}");
    let dates: Vec<Option<&str>> = nodes.iter().map(|n| n["releaseDate"].as_str()).collect();
    let known: Vec<&str> = dates.iter().flatten().copied().collect();
    assert!(
        known.windows(2).all(|w| w[0] >= w[1]),
        "{engine:?}: newest first"
    );
    assert!(
        dates
            .iter()
            .skip_while(|d| d.is_some())
            .all(|d| d.is_none()),
        "{engine:?}: unknown dates last"
    );

    // Ordering by a score, highest first; a minimum normalised score.
    let (nodes, total) = walk(
        &app,
        ", filter: { hasScoreFrom: ROTTEN_TOMATOES, minScore: 80 }, orderBy: { field: SCORE, scoreSource: ROTTEN_TOMATOES, direction: DESC }",
        50,
        "scores { source kind normalized }",
    )
    .await;
    assert_eq!(total as usize, rt_80, "{engine:?}");
    let rt: Vec<f64> = nodes
        .iter()
        .map(|n| {
            n["scores"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["source"] == "ROTTEN_TOMATOES")
                .and_then(|s| s["normalized"].as_f64())
                .unwrap()
        })
        .collect();
    assert!(rt.iter().all(|v| *v >= 80.0));
    assert!(
        rt.windows(2).all(|w| w[0] >= w[1]),
        "{engine:?}: best first"
    );

    let data = app
        .data(
            "{ films(filter: { hasScoreFrom: IMDB }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["films"]["totalCount"], imdb_known,
        "{engine:?}: vega IMDb scores and M. Butterfly's"
    );

    // Credit-scene answers.
    let data = app
        .data(
            "{ no: films(filter: { creditScenes: NO }) { totalCount edges { node { slug } } } \
               unknown: films(filter: { creditScenes: UNKNOWN }) { totalCount } \
               yes: films(filter: { creditScenes: YES }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["no"]["totalCount"], 1);
    assert_eq!(data["no"]["edges"][0]["node"]["slug"], "m-butterfly-1993");
    assert_eq!(data["unknown"]["totalCount"], 3200);
    assert_eq!(data["yes"]["totalCount"], 0);

    // Title words, accent- and case-insensitive.
    let data = app
        .data(
            "{ films(filter: { title: \"AMELIE\" }) { edges { node { title } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["films"]["edges"][0]["node"]["title"],
        "Le Fabuleux destin d'Amélie Poulain"
    );

    // Latest films: released by today, newest first.
    let data = app
        .data(
            "{ latestFilms(first: 50) { edges { node { releaseDate } } } }",
            json!({}),
        )
        .await;
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let dates: Vec<&str> = data["latestFilms"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["releaseDate"].as_str().unwrap())
        .collect();
    assert_eq!(dates.len(), 50);
    assert!(dates.iter().all(|d| *d <= today.as_str()));
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));

    // A cursor from another ordering is refused clearly.
    let data = app
        .data("{ films(first: 1) { pageInfo { endCursor } } }", json!({}))
        .await;
    let cursor = data["films"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app
        .graphql(
            "query($c: String) { films(first: 1, after: $c, orderBy: { field: RELEASE_DATE }) { totalCount } }",
            json!({"c": cursor}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
}

both_engines!(the_film_page_people_and_companies_read_as_the_contract_says_on_every_engine);
async fn the_film_page_people_and_companies_read_as_the_contract_says_on_every_engine(
    engine: Engine,
) {
    let app = spawn_app(engine, Dataset::Demo).await;
    let data = app
        .data(
            r#"{ film(slug: "m-butterfly-1993") {
                id slug title year releaseDate runtimeMinutes mpaaRating genres synopsis plot version
                creditScenes { answer confirmed scenes { kind } }
                cast(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { billingOrder character department person { slug name } film { slug } } } }
                crew { totalCount edges { node { department job person { name } } } }
                writers: crew(department: WRITING) { edges { node { person { name } } } }
                directors { name }
                production: companies(role: PRODUCTION) { role company { slug name } }
                companies { role }
                scores { source kind value scale normalized }
                trivia { question answer spoiler wrongChoices }
            } }"#,
            json!({}),
        )
        .await;
    let film = &data["film"];
    assert_eq!(film["releaseDate"], "1993-10-01");
    assert_eq!(film["mpaaRating"], "R");
    assert_eq!(film["genres"], json!(["Drama", "Romance"]));
    assert_eq!(film["version"], 1);
    assert!(film["plot"].as_str().unwrap().contains("1964"));
    assert_eq!(film["cast"]["totalCount"], 6);
    assert_eq!(film["cast"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        film["cast"]["edges"][0]["node"],
        json!({"billingOrder": 1, "character": "René Gallimard", "department": "CAST",
               "person": {"slug": "jeremy-irons", "name": "Jeremy Irons"}, "film": {"slug": "m-butterfly-1993"}})
    );
    assert_eq!(
        film["cast"]["edges"][1]["node"]["person"]["name"],
        "John Lone"
    );
    assert_eq!(film["crew"]["totalCount"], 2, "a director and a writer");
    assert_eq!(
        film["writers"]["edges"][0]["node"]["person"]["name"],
        "David Henry Hwang"
    );
    assert_eq!(
        film["production"],
        json!([{"role": "PRODUCTION", "company": {"slug": "geffen-pictures", "name": "Geffen Pictures"}}])
    );
    assert_eq!(film["companies"].as_array().unwrap().len(), 2);

    // The next page of the cast continues where the first ended.
    let cursor = film["cast"]["pageInfo"]["endCursor"].as_str().unwrap();
    let data = app
        .data(
            "query($c: String) { film(slug: \"m-butterfly-1993\") { cast(first: 10, after: $c) { edges { node { billingOrder } } } } }",
            json!({"c": cursor}),
        )
        .await;
    let orders: Vec<i64> = data["film"]["cast"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["billingOrder"].as_i64().unwrap())
        .collect();
    assert_eq!(orders, vec![3, 4, 5, 6]);

    // A person's credits, newest film first; a company's films by role.
    let data = app
        .data(
            r#"{ person(slug: "david-cronenberg") { name credits(first: 100) { edges { node { film { releaseDate } } } } }
                company(slug: "warner-bros") { name films(role: DISTRIBUTION, first: 5) { totalCount edges { node { slug } } } }
                people(first: 3, filter: { name: "hwang" }) { totalCount edges { node { slug } } }
                companies(filter: { name: "warner" }) { totalCount edges { node { name } } } }"#,
            json!({}),
        )
        .await;
    let dates: Vec<&str> = data["person"]["credits"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["node"]["film"]["releaseDate"].as_str())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    let warner_films = vega()
        .iter()
        .filter(|r| titled(r) && r["Distributor"] == "Warner Bros.")
        .count()
        + 1;
    assert_eq!(data["company"]["films"]["totalCount"], warner_films);
    assert_eq!(
        data["people"]["edges"][0]["node"]["slug"],
        "david-henry-hwang"
    );
    assert_eq!(
        data["companies"]["edges"],
        json!([{"node": {"name": "Warner Bros."}}, {"node": {"name": "Warner Independent"}}])
    );

    // Unknown slugs are null, not errors; both id and slug is a clear error.
    let data = app
        .data(
            "{ film(slug: \"no-such-film\") { title } person(slug: \"nobody\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(data, json!({"film": null, "person": null}));
    let body = app
        .graphql("{ film(slug: \"a\", id: \"b\") { title } }", json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

both_engines!(global_ids_find_every_kind_of_object_on_every_engine);
async fn global_ids_find_every_kind_of_object_on_every_engine(engine: Engine) {
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let data = app
        .data(
            r#"{ film(slug: "m-butterfly-1993") { id directors { id } cast(first: 1) { edges { node { id } } }
                 companies { id company { id } } scores { id } trivia { id } } }"#,
            json!({}),
        )
        .await;
    let film = &data["film"];
    let ids = vec![
        film["id"].clone(),
        film["directors"][0]["id"].clone(),
        film["cast"]["edges"][0]["node"]["id"].clone(),
        film["companies"][0]["id"].clone(),
        film["companies"][0]["company"]["id"].clone(),
        film["scores"][0]["id"].clone(),
        film["trivia"][0]["id"].clone(),
        json!("bm90IGFuIGlk"),
    ];
    let data = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
            json!({"ids": ids}),
        )
        .await;
    let types: Vec<Value> = data["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["__typename"].clone())
        .collect();
    assert_eq!(
        types,
        vec![
            json!("Film"),
            json!("Person"),
            json!("Credit"),
            json!("FilmCompany"),
            json!("Company"),
            json!("Score"),
            json!("Trivia"),
            Value::Null
        ],
        "{engine:?}"
    );
    for (node, id) in data["nodes"].as_array().unwrap().iter().zip(&ids).take(7) {
        assert_eq!(&node["id"], id);
    }
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Film { slug } } }",
            json!({"id": film["id"]}),
        )
        .await;
    assert_eq!(data["node"]["slug"], "m-butterfly-1993");
}

both_engines!(search_ranks_like_a_person_expects_on_every_engine);
async fn search_ranks_like_a_person_expects_on_every_engine(engine: Engine) {
    let app = spawn_app(engine, Dataset::Demo).await;
    let search = |query: &'static str| {
        let app = &app;
        async move {
            let data = app
                .data(
                    "query($q: String!) { search(query: $q, first: 10) { __typename ... on Film { title year } ... on Person { name } ... on Company { name } } }",
                    json!({"q": query}),
                )
                .await;
            data["search"].as_array().unwrap().clone()
        }
    };
    let hits = search("deja vu").await;
    assert_eq!(
        hits[0],
        json!({"__typename": "Film", "title": "Déjà Vu", "year": 2006}),
        "{engine:?}"
    );
    let hits = search("amelie").await;
    assert_eq!(
        hits[0]["title"], "Le Fabuleux destin d'Amélie Poulain",
        "{engine:?}"
    );
    let hits = search("Cronenberg").await;
    assert_eq!(
        hits[0],
        json!({"__typename": "Person", "name": "David Cronenberg"}),
        "{engine:?}"
    );
    let hits = search("warner").await;
    assert_eq!(
        hits[0],
        json!({"__typename": "Company", "name": "Warner Bros."}),
        "{engine:?}: more films first"
    );

    // Exact title first, then titles starting with the query, then other word matches.
    let hits = search("alien").await;
    let titles: Vec<&str> = hits.iter().filter_map(|h| h["title"].as_str()).collect();
    assert_eq!(titles[0], "Alien", "{engine:?}: {titles:?}");
    let first_word_match = titles
        .iter()
        .position(|t| !t.to_lowercase().starts_with("alien"))
        .unwrap_or(titles.len());
    assert!(
        titles[first_word_match..]
            .iter()
            .all(|t| !t.to_lowercase().starts_with("alien")),
        "{engine:?}: prefix matches before word matches: {titles:?}"
    );
    assert!(
        titles.contains(&"Aliens") && titles.contains(&"Alien: Resurrection"),
        "{titles:?}"
    );

    let hits = search("king kong").await;
    let kongs: Vec<&str> = hits
        .iter()
        .take(3)
        .filter_map(|h| h["title"].as_str())
        .collect();
    assert_eq!(
        kongs,
        vec!["King Kong", "King Kong", "King Kong (1933)"],
        "{engine:?}: remakes, then the prefix match"
    );

    assert!(
        search("   ").await.is_empty(),
        "an empty query finds nothing"
    );
    assert!(search("zzzzqqqq").await.is_empty());
}

both_engines!(search_follows_an_approved_rename_on_every_engine);
async fn search_follows_an_approved_rename_on_every_engine(engine: Engine) {
    const PROPOSE: &str = "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { id } userErrors { message } } }";
    const APPROVE: &str = "mutation($id: ID!) { approveEdit(input: { editId: $id }) { edit { status } userErrors { message } } }";
    const SEARCH: &str = "query($q: String!) { search(query: $q) { ... on Film { slug title } } }";
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let editor = app.user_token("eddie", entity::Role::Editor).await;
    let admin = app.user_token("ada", entity::Role::Admin).await;
    let film = app
        .data("{ film(slug: \"m-butterfly-1993\") { id } }", json!({}))
        .await["film"]["id"]
        .clone();
    let proposed = app
        .data_as(
            &editor,
            PROPOSE,
            json!({"input": {"operation": "UPDATE", "targetId": film, "reason": "Test a rename",
                              "changes": {"film": {"title": "Monsieur Zorblax"}}}}),
        )
        .await;
    let edit = proposed["proposeEdit"]["edit"]["id"].clone();
    assert!(edit.is_string(), "{proposed}");
    let pending = app.data(SEARCH, json!({"q": "zorblax"})).await;
    assert_eq!(
        pending["search"],
        json!([]),
        "{engine:?}: nothing changes before approval"
    );

    let approved = app.data_as(&admin, APPROVE, json!({"id": edit})).await;
    assert_eq!(
        approved["approveEdit"]["edit"]["status"], "APPROVED",
        "{approved}"
    );
    let found = app.data(SEARCH, json!({"q": "zorblax"})).await;
    assert_eq!(
        found["search"][0],
        json!({"slug": "m-butterfly-1993", "title": "Monsieur Zorblax"}),
        "{engine:?}"
    );
    let old = app.data(SEARCH, json!({"q": "m butterfly"})).await;
    assert_eq!(
        old["search"],
        json!([]),
        "{engine:?}: the old title no longer matches"
    );
}

both_engines!(edits_are_nodes_only_for_those_who_may_see_them_on_every_engine);
async fn edits_are_nodes_only_for_those_who_may_see_them_on_every_engine(engine: Engine) {
    const PROPOSE: &str =
        "mutation($input: ProposeEditInput!) { proposeEdit(input: $input) { edit { id number } } }";
    const NODE: &str = "query($id: ID!) { node(id: $id) { __typename ... on Edit { number target { __typename ... on Film { slug } } } } }";
    let app = spawn_app(engine, Dataset::MButterfly).await;
    let author = app.user_token("eddie", entity::Role::Editor).await;
    let other = app.user_token("olive", entity::Role::Editor).await;
    let admin = app.user_token("ada", entity::Role::Admin).await;
    let film = app
        .data("{ film(slug: \"m-butterfly-1993\") { id } }", json!({}))
        .await["film"]["id"]
        .clone();
    let proposed = app
        .data_as(
            &author,
            PROPOSE,
            json!({"input": {"operation": "UPDATE", "targetId": film, "reason": "Node test",
                              "changes": {"film": {"tagline": "A tagline"}}}}),
        )
        .await;
    let edit = proposed["proposeEdit"]["edit"]["id"].clone();
    let expected = json!({"__typename": "Edit", "number": proposed["proposeEdit"]["edit"]["number"],
                          "target": {"__typename": "Film", "slug": "m-butterfly-1993"}});
    assert_eq!(
        app.data_as(&author, NODE, json!({"id": edit})).await["node"],
        expected,
        "{engine:?}: the author"
    );
    assert_eq!(
        app.data_as(&admin, NODE, json!({"id": edit})).await["node"],
        expected,
        "{engine:?}: an admin"
    );
    assert_eq!(
        app.data_as(&other, NODE, json!({"id": edit})).await["node"],
        Value::Null,
        "{engine:?}: another editor"
    );
    assert_eq!(
        app.data(NODE, json!({"id": edit})).await["node"],
        Value::Null,
        "{engine:?}: anonymous"
    );
}
