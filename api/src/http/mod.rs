//! The HTTP surface: routes and their handlers.

pub mod client;
pub mod graphiql;
pub mod graphql;
pub mod headers;
pub mod health;
pub mod negotiation;
pub mod nesting;
pub mod request_id;
pub mod request_log;

use actix_web::{guard, web};

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(health::index))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/graphiql/{file}", web::get().to(graphiql::asset))
        .service(
            web::resource("/graphql")
                .route(web::post().to(graphql::post))
                .route(
                    web::get()
                        .guard(guard::Header("upgrade", "websocket"))
                        .to(graphql::subscriptions),
                )
                .route(web::get().to(graphql::get))
                .default_service(web::to(graphql::method_not_allowed)),
        );
}
