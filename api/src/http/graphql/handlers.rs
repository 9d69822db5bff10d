//! The routes of `/graphql`: POST, GET (queries and GraphiQL), the WebSocket upgrade, and any
//! other method.

use super::GraphqlState;
use super::auth::{self, Bearer};
use super::request::{GetParams, check_document, parse_body, require_json};
use super::response::{coded_error, not_acceptable, respond, unauthenticated};
use crate::auth::ClientInfo;
use crate::graphql::field_order;
use crate::graphql::loaders::Loaders;
use crate::http::negotiation::{ResponseFormat, negotiate};
use crate::http::request_id::RequestId;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::Response;
use async_graphql::http::GraphiQLSource;
use serde_json::{Value, json};

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<GraphqlState>,
    request_id: RequestId,
) -> HttpResponse {
    let Some(format) = negotiate(&req, false) else {
        return not_acceptable();
    };
    let request = match require_json(&req).and_then(|()| parse_body(&body)) {
        Ok(request) => request,
        Err(refusal) => return refusal.respond(format),
    };
    execute(&req, request, format, &state, &request_id, false).await
}

/// `GET /graphql`: queries only; GraphiQL for a browser asking for HTML without a query.
pub async fn get(
    req: HttpRequest,
    state: web::Data<GraphqlState>,
    request_id: RequestId,
) -> HttpResponse {
    let params = match GetParams::read(&req) {
        Ok(params) => params,
        Err(refusal) => return refusal.respond(ResponseFormat::Json),
    };
    let Some(format) = negotiate(&req, params.get("query").is_none()) else {
        return not_acceptable();
    };
    if format == ResponseFormat::Html {
        return HttpResponse::Ok().content_type(format.content_type()).body(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .title("Stinger")
                .finish(),
        );
    }
    match params.into_request() {
        Ok(request) => execute(&req, request, format, &state, &request_id, true).await,
        Err(refusal) => refusal.respond(format),
    }
}

/// `GET /graphql` upgraded to a WebSocket: subscriptions over `graphql-transport-ws` (or the
/// older `graphql-ws`). The access token comes in `connection_init` as
/// `{"Authorization": "Bearer …"}`; a bad one refuses the connection, none subscribes
/// anonymously (and `editEvents` then answers UNAUTHENTICATED).
pub async fn subscriptions(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<GraphqlState>,
) -> actix_web::Result<HttpResponse> {
    let auth = state.auth.clone();
    let client = ClientInfo {
        ip: req.peer_addr().map(|a| a.ip()),
    };
    async_graphql_actix_web::GraphQLSubscription::new(state.schema.clone())
        .on_connection_init(move |init: Value| async move {
            let mut data = async_graphql::Data::default();
            data.insert(client);
            let header = init
                .as_object()
                .and_then(|o| o.get("Authorization").or_else(|| o.get("authorization")))
                .and_then(Value::as_str);
            match header.map(auth::parse) {
                None => {}
                Some(Bearer::Token(token)) => {
                    let viewer = auth.keys.verify(token).map_err(|_| {
                        async_graphql::Error::new("the access token is invalid or expired")
                    })?;
                    data.insert(viewer);
                }
                Some(_) => return Err(async_graphql::Error::new("send `Bearer <token>`")),
            }
            Ok(data)
        })
        .start(&req, payload)
}

/// Any other method on `/graphql`.
pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, "GET, POST"))
        .content_type(ResponseFormat::Json.content_type())
        .body(json!({"errors": [{"message": "use GET for queries or POST", "extensions": {"code": "METHOD_NOT_ALLOWED"}}]}).to_string())
}

/// Runs a request and shapes the response.
async fn execute(
    req: &HttpRequest,
    mut request: async_graphql::Request,
    format: ResponseFormat,
    state: &GraphqlState,
    request_id: &RequestId,
    is_get: bool,
) -> HttpResponse {
    let limits = &state.limits;
    state.documents.reuse(&mut request);
    if let Err(refusal) = check_document(&mut request, format, limits, is_get) {
        return refusal.respond(format);
    }
    let document = state.documents.keep(&mut request);
    let operation_name = request.operation_name.clone();
    let mut request = request
        .data(Loaders::new(&state.db, limits.loader_delay))
        .data(ClientInfo {
            ip: req.peer_addr().map(|a| a.ip()),
        });
    let mut authenticated = false;
    match auth::from_header(req) {
        Bearer::None => {}
        Bearer::Token(token) => match state.auth.keys.verify(token) {
            Ok(viewer) => {
                authenticated = true;
                request = request.data(viewer);
            }
            Err(err) => {
                tracing::info!(request_id = %request_id, error = %err, "access token refused");
                return unauthenticated(format, "the access token is invalid or expired");
            }
        },
        Bearer::Malformed => {
            return unauthenticated(
                format,
                "send the access token as `Authorization: Bearer <token>`",
            );
        }
    }
    let mut response =
        match tokio::time::timeout(limits.request_timeout, state.schema.execute(request)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(request_id = %request_id, "GraphQL request timed out");
                Response::from_errors(vec![coded_error(
                    format!(
                        "the request took longer than {} ms and was stopped",
                        limits.request_timeout.as_millis()
                    ),
                    "TIMEOUT",
                )])
            }
        };
    if let Some(document) = &document {
        field_order::restore(&mut response.data, document, operation_name.as_deref());
    }
    let mut http = respond(response, format, limits, request_id, is_get);
    if authenticated {
        // A response for one account must never be served to another by a shared cache.
        http.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-store"),
        );
    }
    http
}
