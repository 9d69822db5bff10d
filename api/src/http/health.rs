//! Liveness and readiness.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;

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
