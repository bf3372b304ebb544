//! The admins' page (`/admin`): import of the shipped Isère collèges, manager
//! invitations, the département's tariff grid, the associations'
//! verification; and the invited manager's page (`/invitation/{token}`).
//! A refused form is shown again with what was typed and why.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::tariff::FlatFee;
use salle_web::Lang;
use salle_web::admin::{self as views, AdminPage, AssociationLine, InviteValues, RateField};
use uuid::Uuid;

use crate::app::accounts::Role;
use crate::app::admin::{self, Verification};
use crate::app::{App, AppError, invitations};
use crate::http::pages::form::{Fields, Posted, SignedInPost, euros, parse_euros, refused};
use crate::http::pages::labels::{category_label, local_day};
use crate::http::pages::signed_in::SignedIn;
use crate::http::pages::visitor::{PageError, Visitor, see_other};

/// The page as it stands, with empty forms.
/// `owner`: whose tariff grid the form shows (`None`: the département's).
async fn admin_view(state: &App, lang: Lang, owner: Option<Uuid>) -> Result<AdminPage, AppError> {
    let shipped = crate::commands::colleges::colleges().map_err(AppError::Internal)?;
    let now = Utc::now();
    let (listed, associations, grid) = state
        .search
        .read_index(|i| (i.establishment_list(None), i.association_list(), i.tariff(owner).cloned()));
    let registered = shipped
        .iter()
        .filter(|c| {
            let id = c.registration(now).establishment_id;
            listed.iter().any(|e| e.establishment_id == id)
        })
        .count();
    let associations = associations
        .into_iter()
        .map(|a| AssociationLine {
            id: a.association_id.to_string(),
            name: a.name,
            category: category_label(lang, a.category).to_owned(),
            category_code: a.category.to_string(),
            identifier: a.identifier.to_string(),
            registered: local_day(a.registered_at),
            verified: a.verified,
        })
        .collect();
    let rates = RequesterCategory::ALL
        .into_iter()
        .map(|c| RateField {
            code: c.to_string(),
            label: category_label(lang, c).to_owned(),
            value: grid
                .as_ref()
                .and_then(|g| g.hourly_rates_cents.get(&c))
                .map(|cents| euros(*cents))
                .unwrap_or_default(),
        })
        .collect();
    let fees = grid
        .as_ref()
        .map(|g| {
            g.flat_fees
                .iter()
                .map(|f| format!("{} = {}", f.label, euros(f.amount_cents)))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    Ok(AdminPage {
        colleges_registered: registered,
        colleges_shipped: shipped.len(),
        associations,
        categories: RequesterCategory::ALL
            .into_iter()
            .map(|c| (c.to_string(), category_label(lang, c).to_owned()))
            .collect(),
        tariff_version: grid.as_ref().map(|g| g.version),
        tariff_owner: owner.map(|o| o.to_string()).unwrap_or_default(),
        rates,
        fees,
        establishments: listed.into_iter().map(|e| (e.establishment_id.to_string(), e.name)).collect(),
        invite: InviteValues::default(),
        staff: views::StaffValues::default(),
        error: None,
        notice: None,
    })
}

/// `GET /admin`
#[get("/admin")]
pub async fn admin_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    caller.require(&[Role::Admin])?;
    let owner = query.get("grille").and_then(|g| g.parse::<Uuid>().ok());
    let mut page = admin_view(&state, visitor.lang, owner).await?;
    page.notice = None;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::admin(&chrome, &page)))
}

/// Shows the admin page again after a form: a notice, or the refusal with
/// what was typed.
async fn answer(
    state: &App,
    visitor: &Visitor,
    outcome: Result<String, (&'static str, AppError)>,
    adjust: impl FnOnce(&mut AdminPage),
) -> Result<HttpResponse, PageError> {
    answer_for(state, visitor, None, outcome, adjust).await
}

/// [`answer`], with the tariff form on `owner`'s grid.
async fn answer_for(
    state: &App,
    visitor: &Visitor,
    owner: Option<Uuid>,
    outcome: Result<String, (&'static str, AppError)>,
    adjust: impl FnOnce(&mut AdminPage),
) -> Result<HttpResponse, PageError> {
    let mut page = admin_view(state, visitor.lang, owner).await?;
    adjust(&mut page);
    let status = match outcome {
        Ok(notice) => {
            page.notice = Some(notice);
            actix_web::http::StatusCode::OK
        }
        Err((
            section,
            e @ (AppError::Unprocessable { .. }
            | AppError::Conflict { .. }
            | AppError::BadRequest { .. }
            | AppError::NotFound(_)),
        )) => {
            let status = actix_web::ResponseError::status_code(&e);
            page.error = Some((section.to_owned(), e.to_string()));
            status
        }
        Err((_, e)) => return Err(e.into()),
    };
    let chrome = visitor.chrome(state).await;
    Ok(visitor.html(status, views::admin(&chrome, &page)))
}

/// `POST /admin/colleges`: registers the shipped collèges not registered yet.
#[post("/admin/colleges")]
pub async fn import_colleges(
    state: web::Data<App>,
    SignedInPost { visitor, caller, .. }: SignedInPost,
) -> Result<HttpResponse, PageError> {
    let new = admin::import_colleges(&state, &caller).await?;
    answer(&state, &visitor, Ok(format!("{new} collège(s) importé(s).")), |_| {}).await
}

/// `POST /admin/invitations`: a link for a new manager of an establishment, by e-mail.
#[post("/admin/invitations")]
pub async fn invite(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
) -> Result<HttpResponse, PageError> {
    caller.require(&[Role::Admin])?;
    let typed = InviteValues {
        establishment: fields.get("establishment"),
        email: fields.get("email"),
        name: fields.get("name"),
    };
    let outcome = async {
        let establishment = typed
            .establishment
            .parse::<Uuid>()
            .map_err(|_| refused("Choisissez l'établissement dont la personne sera gestionnaire."))?;
        admin::invite(&state, &caller, &typed.email, &typed.name, establishment, visitor.lang).await
    }
    .await;
    match outcome {
        Ok(()) => {
            let notice = match visitor.lang {
                Lang::Fr => format!(
                    "{} est invité(e) : le lien part par e-mail à {} et sert une fois, pendant 14 jours.",
                    typed.name, typed.email
                ),
                Lang::En => format!(
                    "{} is invited: the link is on its way to {} and works once, for 14 days.",
                    typed.name, typed.email
                ),
            };
            answer(&state, &visitor, Ok(notice), |_| {}).await
        }
        Err(e) => answer(&state, &visitor, Err(("invitation", e)), |p| p.invite = typed).await,
    }
}

/// `POST /admin/comptes`: a finance or admin account.
#[post("/admin/comptes")]
pub async fn create_staff(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
) -> Result<HttpResponse, PageError> {
    let typed = views::StaffValues {
        email: fields.get("email"),
        name: fields.get("name"),
        role: fields.get("role"),
        ..Default::default()
    };
    let new = crate::app::staff::NewStaff {
        email: typed.email.clone(),
        password: fields.raw("password"),
        name: typed.name.clone(),
        role: typed.role.clone(),
    };
    match crate::app::staff::create(&state, &caller, &new).await {
        Ok(_) => {
            let notice = match visitor.lang {
                Lang::Fr => format!("Le compte de {} ({}) est créé.", typed.name, typed.email),
                Lang::En => format!("The account of {} ({}) is created.", typed.name, typed.email),
            };
            answer(&state, &visitor, Ok(notice), |_| {}).await
        }
        Err(e) => answer(&state, &visitor, Err(("comptes", e)), |p| p.staff = typed).await,
    }
}

/// `POST /admin/comptes/etat`: disables (`disabled=1`) or enables an account, by its address.
#[post("/admin/comptes/etat")]
pub async fn staff_state(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
) -> Result<HttpResponse, PageError> {
    let email = fields.get("email");
    let disabled = fields.get("disabled") == "1";
    match crate::app::staff::set_disabled_by_email(&state, &caller, &email, disabled).await {
        Ok(account) => {
            let notice = match (visitor.lang, disabled) {
                (Lang::Fr, true) => {
                    format!("Le compte {} est désactivé : ses sessions sont fermées.", account.email)
                }
                (Lang::Fr, false) => format!("Le compte {} fonctionne de nouveau.", account.email),
                (Lang::En, true) => {
                    format!("The account {} is disabled: its sessions are closed.", account.email)
                }
                (Lang::En, false) => format!("The account {} works again.", account.email),
            };
            answer(&state, &visitor, Ok(notice), |_| {}).await
        }
        Err(e) => answer(&state, &visitor, Err(("comptes", e)), |p| p.staff.target = email).await,
    }
}

/// The grid the tariff form describes: a rate per category, and flat fees
/// one per line as « libellé = montant ».
fn parse_grid(
    lang: Lang,
    fields: &Fields,
) -> Result<(BTreeMap<RequesterCategory, i64>, Vec<FlatFee>), AppError> {
    let mut rates = BTreeMap::new();
    for c in RequesterCategory::ALL {
        rates.insert(c, parse_euros(category_label(lang, c), &fields.get(&format!("rate_{c}")))?);
    }
    let mut fees = vec![];
    for line in fields.get("fees").lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (label, amount) = line
            .split_once('=')
            .ok_or_else(|| refused(format!("Forfait « {line} » : écrivez « libellé = montant ».")))?;
        fees.push(FlatFee {
            label: label.trim().to_owned(),
            amount_cents: parse_euros(label.trim(), amount)?,
        });
    }
    Ok((rates, fees))
}

/// `POST /admin/tarifs`: publishes a new version of the département's grid,
/// or of an establishment's own (`owner`).
#[post("/admin/tarifs")]
pub async fn publish_tariff(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
) -> Result<HttpResponse, PageError> {
    caller.require(&[Role::Admin])?;
    let owner_text = fields.get("owner");
    let owner = if owner_text.is_empty() { None } else { owner_text.parse::<Uuid>().ok() };
    let outcome = async {
        if owner.is_none() && !owner_text.is_empty() {
            return Err(refused(format!("« {owner_text} » n'est pas un établissement.")));
        }
        let (rates, fees) = parse_grid(visitor.lang, &fields)?;
        admin::publish_tariff(&state, &caller, owner, rates, fees).await?;
        Ok("Nouvelle grille publiée.".to_owned())
    }
    .await;
    match outcome {
        Ok(notice) => answer_for(&state, &visitor, owner, Ok(notice), |_| {}).await,
        Err(e) => {
            answer_for(&state, &visitor, owner, Err(("tarifs", e)), |p| {
                for r in &mut p.rates {
                    r.value = fields.get(&format!("rate_{}", r.code));
                }
                p.fees = fields.get("fees");
            })
            .await
        }
    }
}

/// `POST /admin/associations/{id}/{verifier|revoquer}`
#[post("/admin/associations/{id}/{action}")]
pub async fn verify_association(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, PageError> {
    caller.require(&[Role::Admin])?;
    let (id, action) = path.into_inner();
    let (verification, notice) = match action.as_str() {
        "verifier" => {
            let category = match fields.get("category").as_str() {
                "" => None,
                code => match code.parse::<RequesterCategory>() {
                    Ok(c) => Some(c),
                    Err(_) => {
                        let refusal = refused(format!("Aucune catégorie « {code} »."));
                        return answer(&state, &visitor, Err(("associations", refusal)), |_| {}).await;
                    }
                },
            };
            (Verification::Verify { category }, "Association vérifiée.")
        }
        "revoquer" => {
            let reason = fields.get("reason");
            if reason.is_empty() {
                let refusal = refused("Donnez le motif du retrait de vérification.");
                return answer(&state, &visitor, Err(("associations", refusal)), |_| {}).await;
            }
            (Verification::Revoke { reason }, "Vérification retirée.")
        }
        _ => return Err(AppError::NotFound(format!("Aucune action « {action} ».")).into()),
    };
    let outcome = admin::verify_association(&state, &caller, id, verification).await;
    answer(&state, &visitor, outcome.map(|_| notice.to_owned()).map_err(|e| ("associations", e)), |_| {})
        .await
}

/// `GET /invitation/{token}`: the invited manager (or association member) chooses a password.
#[get("/invitation/{token}")]
pub async fn invitation_page(
    state: web::Data<App>,
    visitor: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let invitation = invitations::pending(&state.store, &path, Utc::now()).await?;
    let to = invited_to(&state, &invitation).await?;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::invitation(&chrome, &to, &invitation.email, &invitation.name, None)))
}

/// What the invitation is for, named.
async fn invited_to(state: &App, invitation: &invitations::Invitation) -> Result<views::InvitedTo, AppError> {
    Ok(match invitation.invited_to()? {
        invitations::InvitedTo::Manage(id) => {
            views::InvitedTo::Manage(state.commands.establishment(id).await?.name)
        }
        invitations::InvitedTo::Join(id) => {
            views::InvitedTo::Join(state.commands.association(id).await?.name)
        }
    })
}

/// `POST /invitation/{token}`: creates the manager's (or member's) account.
#[post("/invitation/{token}")]
pub async fn accept_invitation(
    state: web::Data<App>,
    Posted { visitor, fields }: Posted,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let invitation = invitations::pending(&state.store, &token, Utc::now()).await?;
    let name = fields.get("name");
    match invitations::accept(&state.commands, &token, &name, &fields.raw("password"), Utc::now()).await {
        Ok(_) => Ok(see_other("/connexion?bienvenue=1")),
        Err(e) => {
            let e = AppError::from(e);
            if !matches!(e, AppError::Unprocessable { .. } | AppError::Conflict { .. }) {
                return Err(e.into());
            }
            let to = invited_to(&state, &invitation).await?;
            let chrome = visitor.chrome(&state).await;
            let status = actix_web::ResponseError::status_code(&e);
            let view = views::invitation(&chrome, &to, &invitation.email, &name, Some(&e.to_string()));
            Ok(visitor.html(status, view))
        }
    }
}
