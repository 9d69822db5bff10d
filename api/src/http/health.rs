//! Liveness, readiness, and the root that points to `/graphql`.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;

/// `GET /`: there is nothing here but a pointer to the API (and GraphiQL, in a browser).
pub async fn index() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((actix_web::http::header::LOCATION, "/graphql"))
        .content_type("text/plain; charset=utf-8")
        .body("Stinger's GraphQL API is at /graphql (GraphiQL there in a browser).\n")
}

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

/// The process can reach its database.
pub async fn readyz(db: web::Data<DatabaseConnection>) -> HttpResponse {
    match db.ping().await {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ready"),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed: database unreachable");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("database unreachable")
        }
    }
}
