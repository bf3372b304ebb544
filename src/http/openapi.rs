//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the API, generated
//! by utoipa from the handlers' `#[utoipa::path]` attributes, their body
//! types and the answers' shapes (`api::schemas`).

use actix_web::{HttpResponse, get};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Response};
use utoipa::{Modify, OpenApi};

use crate::http::api::schemas::{ErrorBody, ErrorDetail};

/// The bearer scheme, and the error body as every operation's default answer.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        let error: RefOr<Response> = utoipa::openapi::ResponseBuilder::new()
            .description("Any other error, in the shape of API.md")
            .content(
                "application/json",
                utoipa::openapi::ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .into();
        for item in openapi.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch]
                .into_iter()
                .flatten()
            {
                operation.responses.responses.entry("default".into()).or_insert_with(|| error.clone());
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "salle — API v1",
        description = "Rooms of public establishments booked by associations outside school hours. \
                       Money is integer cents; times are RFC 3339 with their offset (Europe/Paris).",
        license(name = "AGPL-3.0-or-later"),
    ),
    paths(
        crate::http::auth::issue_token,
        crate::http::auth::revoke_token,
        crate::http::api::accounts::create_user,
        crate::http::api::accounts::me,
        crate::http::api::accounts::create_association,
        crate::http::api::accounts::confirm_association,
        crate::http::api::accounts::request_reset,
        crate::http::api::accounts::reset_password,
        crate::http::api::accounts::notices,
        crate::http::api::accounts::set_notices,
        crate::http::api::bookings::grant_refund,
        crate::http::api::accounts::change_user,
        crate::http::api::establishments::payouts,
        crate::http::api::establishments::revise_establishment,
        crate::http::api::establishments::remove_manager,
        crate::http::api::messages::list,
        crate::http::api::messages::post,
        crate::http::api::calendars::room_feed,
        crate::http::api::calendars::secret_feed,
        crate::http::api::calendars::create_feed,
        crate::http::api::calendars::list_feeds,
        crate::http::api::calendars::revoke_feed,
        crate::http::api::associations::show,
        crate::http::api::associations::invite,
        crate::http::api::associations::verification,
        crate::http::api::establishments::create_establishment,
        crate::http::api::establishments::add_manager,
        crate::http::api::establishments::add_room,
        crate::http::api::establishments::show_room,
        crate::http::api::rooms::revise_room,
        crate::http::api::availability::availability,
        crate::http::api::search::search,
        crate::http::api::bookings::create_booking,
        crate::http::api::bookings::show_booking,
        crate::http::api::bookings::list_bookings,
        crate::http::api::bookings::approve,
        crate::http::api::bookings::reject,
        crate::http::api::bookings::pay,
        crate::http::api::bookings::cancel,
        crate::http::api::webhook::stripe_webhook,
        crate::http::api::finance::establishment_ledger,
        crate::http::api::finance::ledger_export,
        crate::http::api::finance::log_events,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&Conventions),
    tags(
        (name = "accounts", description = "Sign-in, users, associations"),
        (name = "establishments", description = "Establishments, managers, rooms"),
        (name = "search", description = "Finding a room and its free slots"),
        (name = "bookings", description = "Requests, approval, payment, cancellation"),
        (name = "finance", description = "Ledgers, exports and the event log"),
    ),
)]
pub struct ApiDoc;

/// The document, built once.
pub fn document() -> &'static str {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".to_owned()))
}

#[get("/api/v1/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(document())
}
