//! `/api/v1/associations/{id}`: the association's own account and the
//! invitation of a second member; an admin's verification.

use actix_web::{HttpResponse, get, post, web};
use salle_events::catalog::association::RequesterCategory;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::app::admin::{self, Verification};
use crate::app::{App, associations};
use crate::domain::DomainError;
use crate::http::auth::Caller;
use crate::http::error::AppError;

/// `GET /api/v1/associations/{id}` (its members).
#[utoipa::path(get, path = "/api/v1/associations/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The association")),
    responses((status = 200, description = "The association, its verification and its members", body = crate::http::api::schemas::AssociationAccount),
              (status = 404, description = "No such association, or not the caller's", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/associations/{id}")]
pub async fn show(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let p = associations::profile(&app, &caller, path.into_inner()).await?;
    let members: Vec<_> =
        p.members.iter().map(|m| json!({ "id": m.user_id, "name": m.name, "email": m.email })).collect();
    Ok(HttpResponse::Ok().json(json!({
        "id": p.id,
        "name": p.name,
        "identifier": p.identifier.map(|i| i.to_string()),
        "category": p.category,
        "verified": p.verified,
        "pending_dates": p.pending_dates,
        "hold_limit": (!p.verified).then_some(p.hold_limit),
        "members": members,
    })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewMember {
    email: String,
    name: String,
}

/// `POST /api/v1/associations/{id}/invitations` (its members): a link for a
/// second person of the association, who chooses a password there.
#[utoipa::path(post, path = "/api/v1/associations/{id}/invitations", tag = "accounts", request_body = NewMember, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The association")),
    responses((status = 201, description = "The invitation, mailed to the person", body = crate::http::api::schemas::MemberInvitation),
              (status = 404, description = "No such association, or not the caller's", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "The e-mail has an account already", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "Bad e-mail or name", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/associations/{id}/invitations")]
pub async fn invite(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    req: actix_web::HttpRequest,
    body: web::Json<NewMember>,
) -> Result<HttpResponse, AppError> {
    let lang = super::lang_of(None, &req)?;
    let invited =
        associations::invite_member(&app, &caller, path.into_inner(), &body.email, &body.name, lang).await?;
    Ok(HttpResponse::Created().json(json!({ "sent_to": invited.sent_to, "expires_at": invited.expires_at })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Verified,
    Revoked,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VerificationBody {
    decision: Decision,
    /// The category confirmed (`verified`); the declared one when absent.
    category: Option<RequesterCategory>,
    /// Why (required to revoke).
    reason: Option<String>,
}

/// `POST /api/v1/associations/{id}/verification` (admin): verifies the
/// association, confirming its tariff category, or revokes it with a reason.
#[utoipa::path(post, path = "/api/v1/associations/{id}/verification", tag = "accounts", request_body = VerificationBody, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The association")),
    responses((status = 200, description = "Its verification now", body = crate::http::api::schemas::VerificationAnswer),
              (status = 403, description = "Not an admin", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such association", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "Verified already, or not verified", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "No reason to revoke", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/associations/{id}/verification")]
pub async fn verification(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<VerificationBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let association_id = path.into_inner();
    let verification = match body.decision {
        Decision::Verified => Verification::Verify { category: body.category },
        Decision::Revoked => {
            let reason = body.reason.unwrap_or_default();
            if reason.trim().is_empty() {
                return Err(DomainError::rule(
                    "reason_required",
                    "Donnez le motif du retrait de vérification.",
                )
                .into());
            }
            Verification::Revoke { reason }
        }
    };
    let standing = admin::verify_association(&app, &caller, association_id, verification).await?;
    Ok(HttpResponse::Ok().json(json!({ "verified": standing.verified, "category": standing.category })))
}
