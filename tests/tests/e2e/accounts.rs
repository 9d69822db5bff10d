//! Accounts and authentication over real HTTP: login, tokens, refresh rotation, throttling.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use stinger_api::config::Config;
use stinger_api::service::account::{self, AccountError};
use stinger_api::startup::Application;
use stinger_tests::{Dataset, Engine, TEST_PASSWORD, both_engines, spawn_app, spawn_app_with};

const SECRET: &str = "0123456789abcdef0123456789abcdef-test-secret";
const ME: &str = "{ me { username role } }";

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

both_engines!(login_gives_an_access_token_that_identifies_the_user);
async fn login_gives_an_access_token_that_identifies_the_user(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    account::create_user(&app.db, "Ann.Editor", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();

    // Usernames are case-insensitive.
    let login = app.login("ann.editor", TEST_PASSWORD).await;
    assert_eq!(login["userErrors"], json!([]), "{engine:?}");
    assert_eq!(login["user"]["username"], "Ann.Editor");
    let token = login["accessToken"].as_str().unwrap();
    assert!(login["refreshToken"].as_str().unwrap().len() >= 43);

    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({"query": ME}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    let me = app.data_as(token, ME, json!({})).await;
    assert_eq!(
        me["me"],
        json!({"username": "Ann.Editor", "role": "EDITOR"})
    );
    // Anonymous reads still work, and `me` is null.
    assert_eq!(app.data(ME, json!({})).await["me"], Value::Null);

    let stored = entity::user::Entity::find().all(&app.db).await.unwrap();
    assert!(
        stored[0]
            .password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );
    // Refresh tokens are stored only as hashes.
    let tokens = entity::refresh_token::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(
        tokens[0].token_hash,
        account::hash_token(login["refreshToken"].as_str().unwrap())
    );
}

both_engines!(account_rules_live_in_the_service);
async fn account_rules_live_in_the_service(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    account::create_user(&app.db, "bob", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    let taken = account::create_user(&app.db, "BOB", TEST_PASSWORD, Role::Editor).await;
    assert!(
        matches!(taken, Err(AccountError::UsernameTaken)),
        "{engine:?}"
    );
    let short = account::create_user(&app.db, "carol", "fourteen chars", Role::Editor).await;
    assert!(matches!(short, Err(AccountError::PasswordTooShort)));
    let long = account::create_user(&app.db, "carol", &"x".repeat(1025), Role::Editor).await;
    assert!(matches!(long, Err(AccountError::PasswordTooLong)));
    let name = account::create_user(&app.db, "no spaces", TEST_PASSWORD, Role::Editor).await;
    assert!(matches!(name, Err(AccountError::InvalidUsername)));
}

both_engines!(a_wrong_password_and_an_unknown_user_get_the_same_answer);
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    account::create_user(&app.db, "realuser", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    let wrong = app.login("realuser", "not the right password").await;
    let unknown = app.login("nobody", "not the right password").await;
    assert_eq!(wrong["accessToken"], Value::Null, "{engine:?}");
    assert_eq!(wrong["userErrors"][0]["code"], "INVALID_CREDENTIALS");
    assert_eq!(wrong["userErrors"], unknown["userErrors"]);
    assert_eq!(wrong, unknown);
    // A name that cannot exist gets the same answer too.
    let odd = app
        .login(&"x".repeat(10_000), "not the right password")
        .await;
    assert_eq!(odd, unknown);
}

both_engines!(a_disabled_account_cannot_log_in);
async fn a_disabled_account_cannot_log_in(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    let user = account::create_user(&app.db, "gone", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    account::set_active(&app.db, user.id, false).await.unwrap();
    let login = app.login("gone", TEST_PASSWORD).await;
    assert_eq!(
        login["userErrors"][0]["code"], "INVALID_CREDENTIALS",
        "{engine:?}"
    );
}

both_engines!(repeated_failures_are_throttled_even_when_aliased_in_one_request);
async fn repeated_failures_are_throttled_even_when_aliased_in_one_request(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    account::create_user(&app.db, "target", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    let aliases: String = (0..11)
        .map(|i| {
            format!(
                "a{i}: login(input: {{username: \"target\", password: \"wrong password {i}\"}}) {{ accessToken userErrors {{ code }} }} "
            )
        })
        .collect();
    let data = app
        .data(&format!("mutation {{ {aliases} }}"), json!({}))
        .await;
    let codes: Vec<&str> = (0..11)
        .map(|i| {
            data[format!("a{i}")]["userErrors"][0]["code"]
                .as_str()
                .unwrap()
        })
        .collect();
    // One password check per request: the aliased extras are refused unchecked.
    assert_eq!(
        codes.iter().filter(|c| **c == "RATE_LIMITED").count(),
        10,
        "{engine:?}: {codes:?}"
    );
    assert_eq!(
        codes
            .iter()
            .filter(|c| **c == "INVALID_CREDENTIALS")
            .count(),
        1
    );
    // Two more failures from this address, and it must wait: even the right password is
    // refused from here for a while.
    for attempt in 0..2 {
        let login = app.login("target", &format!("wrong again {attempt}")).await;
        assert_eq!(login["userErrors"][0]["code"], "INVALID_CREDENTIALS");
    }
    let login = app.login("target", TEST_PASSWORD).await;
    assert_eq!(login["userErrors"][0]["code"], "RATE_LIMITED");
    assert_eq!(login["accessToken"], Value::Null);
}

fn claims(now: i64) -> Value {
    json!({"sub": "1", "exp": now + 600, "iat": now, "nbf": now, "iss": "stinger",
           "aud": "stinger-graphql", "jti": "x", "role": "ADMIN"})
}

fn sign(claims: &Value, key: &[u8], typ: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.typ = typ.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(key)).unwrap()
}

both_engines!(bad_access_tokens_are_refused_as_unauthenticated);
async fn bad_access_tokens_are_refused_as_unauthenticated(engine: Engine) {
    let app = spawn_app_with(engine, Dataset::Empty, |c| {
        c.jwt_secret = Some(SECRET.to_owned())
    })
    .await;
    let admin = account::create_user(&app.db, "root", TEST_PASSWORD, Role::Admin)
        .await
        .unwrap();
    assert_eq!(admin.id, 1);
    let now = chrono::Utc::now().timestamp();
    let key = SECRET.as_bytes();
    let at = Some("at+jwt");

    // Control: a well-formed token signed with the server's secret works.
    let good = sign(&claims(now), key, at);
    assert_eq!(
        app.data_as(&good, ME, json!({})).await["me"]["username"],
        "root"
    );

    let without = |field: &str| {
        let mut c = claims(now);
        c.as_object_mut().unwrap().remove(field);
        sign(&c, key, at)
    };
    let with = |field: &str, value: Value| {
        let mut c = claims(now);
        c[field] = value;
        sign(&c, key, at)
    };
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#),
        URL_SAFE_NO_PAD.encode(claims(now).to_string())
    );
    let tampered = {
        let parts: Vec<&str> = good.split('.').collect();
        let mut c = claims(now);
        c["sub"] = json!("2");
        format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(c.to_string()),
            parts[2]
        )
    };
    let hs512 = {
        let header = Header {
            typ: at.map(str::to_owned),
            ..Header::new(Algorithm::HS512)
        };
        jsonwebtoken::encode(&header, &claims(now), &EncodingKey::from_secret(key)).unwrap()
    };
    let login = app.login("root", TEST_PASSWORD).await;
    let refresh = login["refreshToken"].as_str().unwrap().to_owned();

    let cases = [
        ("alg none", none),
        ("HS512", hs512),
        (
            "another key",
            sign(&claims(now), b"another-secret-of-at-least-32-bytes!!", at),
        ),
        ("expired 30 s ago", with("exp", json!(now - 30))),
        ("not yet valid", with("nbf", json!(now + 3600))),
        ("exp as a string", with("exp", json!("never"))),
        ("no exp", without("exp")),
        ("no aud", without("aud")),
        ("no iss", without("iss")),
        ("no sub", without("sub")),
        ("another audience", with("aud", json!("other"))),
        ("another issuer", with("iss", json!("evil"))),
        ("edited payload", tampered),
        ("typ JWT", sign(&claims(now), key, Some("JWT"))),
        ("no typ", sign(&claims(now), key, None)),
        ("a refresh token", refresh),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (name, token) in cases {
        let body = app.graphql_as(&token, ME, json!({})).await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{engine:?} {name}: {body}");
        assert!(
            body.get("data").is_none_or(Value::is_null),
            "{name}: {body}"
        );
    }
    // A malformed header is refused too, and a huge one quickly.
    let body: Value = app
        .client
        .post(app.url("/graphql"))
        .header("Authorization", "Basic abc")
        .json(&json!({"query": ME}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(code(&body), "UNAUTHENTICATED");
    // A 1 MB header is refused (by actix before us, or by the length check) without
    // ever reaching execution.
    let huge = format!("Bearer {}", "a".repeat(1024 * 1024));
    let started = std::time::Instant::now();
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("Authorization", huge)
        .json(&json!({"query": ME}))
        .send()
        .await;
    if let Ok(response) = response {
        assert!(
            response.status().is_client_error(),
            "{engine:?}: {}",
            response.status()
        );
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

both_engines!(refresh_tokens_rotate_and_a_reused_one_revokes_its_family);
async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_family(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    account::create_user(&app.db, "dana", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    let refresh = |token: String| {
        let app = &app;
        async move {
            app.data(
                "mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken refreshToken userErrors { code } } }",
                json!({"t": token}),
            )
            .await["refreshToken"]
                .clone()
        }
    };
    let rt1 = app.login("dana", TEST_PASSWORD).await["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = refresh(rt1.clone()).await;
    let rt2 = second["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt2, "{engine:?}");
    let access = second["accessToken"].as_str().unwrap();
    assert_eq!(
        app.data_as(access, ME, json!({})).await["me"]["username"],
        "dana"
    );

    // RT1 again: refused, and RT2 (same family) dies with it.
    let reused = refresh(rt1).await;
    assert_eq!(reused["userErrors"][0]["code"], "INVALID_REFRESH_TOKEN");
    assert_eq!(reused["accessToken"], Value::Null);
    let after = refresh(rt2).await;
    assert_eq!(after["userErrors"][0]["code"], "INVALID_REFRESH_TOKEN");

    // Another login is another family and works.
    let rt3 = app.login("dana", TEST_PASSWORD).await["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(refresh(rt3.clone()).await["userErrors"], json!([]));

    // Logout ends a session.
    let rt4 = app.login("dana", TEST_PASSWORD).await["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let logout = app
        .data(
            "mutation($t: String!) { logout(input: {refreshToken: $t}) { ok userErrors { code } } }",
            json!({"t": rt4}),
        )
        .await;
    assert_eq!(logout["logout"]["ok"], true);
    assert_eq!(
        refresh(rt4).await["userErrors"][0]["code"],
        "INVALID_REFRESH_TOKEN"
    );
}

both_engines!(changing_the_password_ends_every_session);
async fn changing_the_password_ends_every_session(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    account::create_user(&app.db, "erin", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    let login = app.login("erin", TEST_PASSWORD).await;
    let token = login["accessToken"].as_str().unwrap();
    let change = "mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) { ok userErrors { field code } } }";

    let wrong = app
        .data_as(
            token,
            change,
            json!({"c": "not my password at all", "n": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(
        wrong["changePassword"]["userErrors"][0]["code"], "INVALID_CREDENTIALS",
        "{engine:?}"
    );
    let short = app
        .data_as(token, change, json!({"c": TEST_PASSWORD, "n": "short"}))
        .await;
    assert_eq!(
        short["changePassword"]["userErrors"][0]["code"],
        "PASSWORD_TOO_SHORT"
    );

    let ok = app
        .data_as(
            token,
            change,
            json!({"c": TEST_PASSWORD, "n": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(ok["changePassword"]["ok"], true);
    let refreshed = app
        .data(
            "mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { userErrors { code } } }",
            json!({"t": login["refreshToken"]}),
        )
        .await;
    assert_eq!(
        refreshed["refreshToken"]["userErrors"][0]["code"],
        "INVALID_REFRESH_TOKEN"
    );
    assert_eq!(
        app.login("erin", "a brand new passphrase").await["userErrors"],
        json!([])
    );
    assert_eq!(
        app.login("erin", TEST_PASSWORD).await["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
}

both_engines!(the_server_refuses_to_start_with_a_short_secret_and_keeps_a_generated_one);
async fn the_server_refuses_to_start_with_a_short_secret_and_keeps_a_generated_one(engine: Engine) {
    let test_db = stinger_tests::TestDb::new(engine, Dataset::Empty).await;
    let config = |secret: Option<&str>| {
        let mut config = Config::from_lookup(|_| None).unwrap();
        config.listen = "127.0.0.1:0".to_owned();
        config.database.url = Some(test_db.url.clone());
        config.database.data_dir = test_db.dir.path().to_owned();
        config.jwt_secret = secret.map(str::to_owned);
        // The database is migrated and empty: no demo import on start, it is not what is tested.
        config.demo_data = false;
        config
    };
    assert!(
        Application::build(config(Some("too short"))).await.is_err(),
        "{engine:?}"
    );
    let app = Application::build(config(None)).await.unwrap();
    drop(app);
    let secret = std::fs::read_to_string(test_db.dir.path().join("jwt-secret")).unwrap();
    assert!(secret.len() >= 32);
    let app = Application::build(config(None)).await.unwrap();
    drop(app);
    assert_eq!(
        std::fs::read_to_string(test_db.dir.path().join("jwt-secret")).unwrap(),
        secret
    );
}

both_engines!(a_login_for_an_unknown_user_costs_as_much_as_a_wrong_password);
async fn a_login_for_an_unknown_user_costs_as_much_as_a_wrong_password(engine: Engine) {
    let app = spawn_app(engine, Dataset::Empty).await;
    account::create_user(&app.db, "realuser", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    // Warm up (the dummy hash is made on first use).
    app.login("nobody", "warming up the dummy hash").await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    // Each sample from an address of its own (127.0.0.10, .11, …): the per-address backoff
    // would otherwise answer later attempts unchecked, which is not what is measured here.
    for i in 0..5u8 {
        let client = reqwest::Client::builder()
            .local_address(std::net::IpAddr::from([127, 0, 0, 10 + i]))
            .build()
            .unwrap();
        let login = |username: &'static str| {
            client
                .post(app.url("/graphql"))
                .json(&json!({"query": "mutation($u: String!) { login(input: {username: $u, password: \"not the right password\"}) { userErrors { code } } }", "variables": {"u": username}}))
                .send()
        };
        let start = std::time::Instant::now();
        let body: Value = login("realuser").await.unwrap().json().await.unwrap();
        known.push(start.elapsed());
        assert_eq!(
            body["data"]["login"]["userErrors"][0]["code"],
            "INVALID_CREDENTIALS"
        );
        let start = std::time::Instant::now();
        let body: Value = login("nobody").await.unwrap().json().await.unwrap();
        unknown.push(start.elapsed());
        assert_eq!(
            body["data"]["login"]["userErrors"][0]["code"],
            "INVALID_CREDENTIALS"
        );
    }
    known.sort();
    unknown.sort();
    let (known, unknown) = (known[2], unknown[2]);
    // Without the dummy verification an unknown user answers in a few milliseconds while
    // a real one pays a full argon2id hash; a factor of three leaves room for noise.
    assert!(
        unknown * 3 > known && known * 3 > unknown,
        "{engine:?}: median {known:?} for a wrong password, {unknown:?} for an unknown user"
    );
}

both_engines!(a_login_upgrades_a_hash_made_with_older_settings);
async fn a_login_upgrades_a_hash_made_with_older_settings(engine: Engine) {
    use argon2::password_hash::{PasswordHasher, SaltString};
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app(engine, Dataset::Empty).await;
    let user = account::create_user(&app.db, "oldtimer", TEST_PASSWORD, Role::Editor)
        .await
        .unwrap();
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 3, 1, None).unwrap(),
    )
    .hash_password(
        TEST_PASSWORD.as_bytes(),
        &SaltString::encode_b64(b"sixteen byte salt").unwrap(),
    )
    .unwrap()
    .to_string();
    let mut model: entity::user::ActiveModel = user.clone().into();
    model.password_hash = Set(weak.clone());
    model.update(&app.db).await.unwrap();

    assert_eq!(
        app.login("oldtimer", TEST_PASSWORD).await["userErrors"],
        json!([]),
        "{engine:?}"
    );
    let stored = entity::user::Entity::find_by_id(user.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored
            .password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        stored.password_hash
    );
    assert_eq!(
        app.login("oldtimer", TEST_PASSWORD).await["userErrors"],
        json!([])
    );
}
