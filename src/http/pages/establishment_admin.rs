//! An admin's decisions on an establishment's page: its name and address,
//! its suspension and reactivation, the managers in whose care it is
//! (`POST /etablissements/{id}/{fiche,suspendre,reactiver}`,
//! `POST /etablissements/{id}/gestionnaires/{user}/retirer`). A refusal
//! shows the page again with why and what was typed.

use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use crate::app::establishments::{self, Revision};
use crate::app::{App, AppError, access};
use crate::http::pages::form::SignedInPost;
use crate::http::pages::manage_establishments::page_for;
use crate::http::pages::visitor::{PageError, see_other};

/// What an admin's form asks for (the last part of its address).
enum Decision {
    Details { name: String, address: String },
    Suspend { reason: String },
    Reactivate,
}

/// `POST /etablissements/{id}/{fiche|suspendre|reactiver}` (admins).
#[post("/etablissements/{id}/{decision:fiche|suspendre|reactiver}")]
pub async fn decide(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, decision) = path.into_inner();
    let decision = match decision.as_str() {
        "fiche" => Decision::Details { name: fields.get("name"), address: fields.get("address") },
        "suspendre" => Decision::Suspend { reason: fields.get("reason") },
        _ => Decision::Reactivate,
    };
    let revision = match &decision {
        Decision::Details { name, address } => {
            Revision { name: Some(name.clone()), address: Some(address.clone()), ..Revision::default() }
        }
        Decision::Suspend { reason } => {
            Revision { suspended: Some(true), reason: Some(reason.clone()), ..Revision::default() }
        }
        Decision::Reactivate => Revision { suspended: Some(false), ..Revision::default() },
    };
    let back = format!("/etablissements/{id}/gestion#administration");
    match establishments::revise(&state, &caller, id, &revision).await {
        Ok(_) => Ok(see_other(&back)),
        Err(e @ (AppError::Unprocessable { .. } | AppError::Conflict { .. })) => {
            let establishment = access::managed_establishment(&state, &caller, id).await?;
            let mut page = page_for(&state, &caller, visitor.lang, &establishment, id).await?;
            if let Some(a) = page.admin.as_mut() {
                match decision {
                    Decision::Details { name, address } => (a.name, a.address) = (name, address),
                    Decision::Suspend { reason } => a.reason = reason,
                    Decision::Reactivate => {}
                }
            }
            page.error = Some(e.to_string());
            let chrome = visitor.chrome(&state).await;
            let status = actix_web::ResponseError::status_code(&e);
            Ok(visitor.html(status, salle_web::manage::establishment(&chrome, &page)))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /etablissements/{id}/gestionnaires/{user}/retirer` (admins).
#[post("/etablissements/{id}/gestionnaires/{user}/retirer")]
pub async fn remove_manager(
    state: web::Data<App>,
    SignedInPost { caller, .. }: SignedInPost,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, PageError> {
    let (id, user_id) = path.into_inner();
    establishments::remove_manager(&state, &caller, id, user_id).await?;
    Ok(see_other(&format!("/etablissements/{id}/gestion#administration")))
}
