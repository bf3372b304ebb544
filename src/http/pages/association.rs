//! `GET /association`: the association's own page (its verification, its
//! members); `POST /association/invitations`: a link for another member.

use actix_web::{HttpResponse, get, post, web};
use salle_web::marketplace::{self as views, AssociationView};

use crate::app::{App, AppError, Caller, associations};
use crate::http::pages::form::SignedInPost;
use crate::http::pages::labels::{category_label, local_moment};
use crate::http::pages::signed_in::SignedIn;
use crate::http::pages::visitor::{PageError, Visitor};

async fn view(state: &App, caller: &Caller, visitor: &Visitor) -> Result<AssociationView, AppError> {
    let p = associations::profile(state, caller, caller.association()?).await?;
    Ok(AssociationView {
        name: p.name,
        identifier: p.identifier.map(|i| i.to_string()).unwrap_or_default(),
        category: p.category.map(|c| category_label(visitor.lang, c).to_owned()).unwrap_or_default(),
        verified: p.verified,
        pending_dates: p.pending_dates,
        hold_limit: p.hold_limit,
        members: p.members.into_iter().map(|m| (m.name, m.email)).collect(),
        ..Default::default()
    })
}

/// `GET /association`
#[get("/association")]
pub async fn association_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
) -> Result<HttpResponse, PageError> {
    let page = view(&state, &caller, &visitor).await?;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::association(&chrome, &page)))
}

/// `POST /association/invitations`: the link goes to the person by e-mail.
#[post("/association/invitations")]
pub async fn invite_member(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
) -> Result<HttpResponse, PageError> {
    let (email, name) = (fields.get("email"), fields.get("name"));
    let outcome =
        associations::invite_member(&state, &caller, caller.association()?, &email, &name, visitor.lang)
            .await;
    let mut page = view(&state, &caller, &visitor).await?;
    let status = match outcome {
        Ok(invited) => {
            page.notice = Some(format!("{name} est invité(e)."));
            page.invitation = Some((invited.sent_to, local_moment(invited.expires_at)));
            actix_web::http::StatusCode::OK
        }
        Err(e @ (AppError::Unprocessable { .. } | AppError::Conflict { .. })) => {
            let status = actix_web::ResponseError::status_code(&e);
            (page.invite_email, page.invite_name, page.error) = (email, name, Some(e.to_string()));
            status
        }
        Err(e) => return Err(e.into()),
    };
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.html(status, views::association(&chrome, &page)))
}
