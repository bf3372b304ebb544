//! The pages: search, room, sign-in and out, bookings and their actions.
//! They work without JavaScript; every form carries a CSRF token, nothing
//! changes on GET, and the same checks as the API apply (the handlers call
//! the API's own functions).
//!
//! Sessions: a random token in the `__Host-salle` cookie (Secure, HttpOnly,
//! SameSite=Lax, Path=/), a new one at each sign-in, ended by an idle and an
//! absolute timeout (`app::accounts`). Before sign-in, forms carry the token
//! of the `__Host-salle-csrf` cookie (double submit).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, get, post, web};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc};
use salle_events::catalog::Money;
use salle_events::catalog::room::{Equipment, RoomKind};
use salle_events::time::LOCAL_TZ;
use salle_projections::availability::{Status, room_calendar};
use salle_projections::bookings::{self, Filter};
use salle_web::Lang;
use salle_web::layout::{Chrome, STYLESHEET};
use salle_web::marketplace::{
    self as views, BookingLine, BookingView, CalendarDay, Choices, ResultLine, RoomView, SearchForm,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::accounts::{self, Account, Role, SessionKind};
use crate::app::sign_in::SignInError;
use crate::http::api::{self, NewBooking};
use crate::http::auth::Caller;
use crate::http::client::ClientAddress;
use crate::http::error::AppError;
use crate::http::signed_in::SignedIn;
use crate::startup::AppState;

/// A page's error: the same as the API's, answered as an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl actix_web::ResponseError for PageError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.0.status_code();
        let message = match &self.0 {
            AppError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
                "Une erreur interne est survenue ; elle a été enregistrée. Réessayez plus tard.".to_owned()
            }
            other => other.to_string(),
        };
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(salle_web::pages::error(Lang::Fr, status.as_u16(), &message).into_string())
    }
}

macro_rules! page_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for PageError {
            fn from(e: $t) -> Self {
                Self(e.into())
            }
        }
    )*};
}
page_error_from!(
    AppError,
    crate::app::CommandError,
    crate::app::accounts::AccountError,
    crate::app::invitations::InvitationError,
    crate::domain::DomainError
);

pub(crate) const SESSION_COOKIE: &str = "__Host-salle";
const CSRF_COOKIE: &str = "__Host-salle-csrf";

/// Who is looking at a page.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub account: Option<Account>,
    pub csrf: String,
    pub lang: Lang,
    session: Option<String>,
    /// The CSRF cookie must be set with the answer.
    new_csrf: bool,
}

impl FromRequest for Visitor {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let session = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let csrf_cookie = req.cookie(CSRF_COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() == 64);
        let lang = Lang::from_accept_language(
            req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
        );
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no application state")))?;
            if let Some(token) = &session
                && let Some((account, csrf)) =
                    accounts::session(&state.store, token, SessionKind::Web, Utc::now()).await?
            {
                return Ok(Self { account: Some(account), csrf, lang, session, new_csrf: false });
            }
            let (csrf, new_csrf) = match csrf_cookie {
                Some(c) => (c, false),
                None => (accounts::random_token(), true),
            };
            Ok(Self { account: None, csrf, lang, session: None, new_csrf })
        })
    }
}

impl Visitor {
    pub(crate) fn caller(&self) -> Option<Caller> {
        self.account.clone().map(Caller)
    }

    /// A form's token must be this visitor's (compared in constant time).
    pub(crate) fn check(&self, submitted: &str) -> Result<(), AppError> {
        use subtle::ConstantTimeEq;
        if bool::from(self.csrf.as_bytes().ct_eq(submitted.as_bytes())) && !submitted.is_empty() {
            return Ok(());
        }
        Err(AppError::Forbidden("Le formulaire a expiré : rechargez la page et recommencez.".into()))
    }

    /// A posted form's fields, once its CSRF token is checked.
    pub(crate) fn posted(&self, body: &[u8]) -> Result<crate::http::forms::Fields, AppError> {
        let fields = crate::http::forms::Fields::parse(body);
        self.check(&fields.get("csrf"))?;
        Ok(fields)
    }

    pub(crate) async fn chrome(&self, state: &AppState) -> Chrome {
        let lang = self.lang;
        let Some(account) = &self.account else { return Chrome::anonymous(lang, &self.csrf) };
        let pending = if account.role == Role::Manager {
            let establishments =
                accounts::establishments_of(&state.store, account.user_id).await.unwrap_or_default();
            let filter = Filter {
                establishments: Some(establishments),
                status: Some("requested".into()),
                ..Default::default()
            };
            bookings::count(&state.store, &filter).await.ok().map(|n| n.max(0) as usize)
        } else {
            None
        };
        Chrome {
            lang,
            user: Some((account.name.clone(), role_label(lang, account.role).to_owned())),
            pending,
            csrf: self.csrf.clone(),
            ledgers: account.role != Role::Association,
            manages: matches!(account.role, Role::Manager | Role::Admin),
            admin: account.role == Role::Admin,
        }
    }

    /// An HTML answer, setting the CSRF cookie for a new visitor.
    pub(crate) fn html(&self, status: actix_web::http::StatusCode, markup: maud::Markup) -> HttpResponse {
        let mut response = HttpResponse::build(status);
        response.content_type("text/html; charset=utf-8");
        if self.new_csrf {
            response.cookie(host_cookie(CSRF_COOKIE, &self.csrf));
        }
        response.body(markup.into_string())
    }

    pub(crate) fn ok(&self, markup: maud::Markup) -> HttpResponse {
        self.html(actix_web::http::StatusCode::OK, markup)
    }
}

fn host_cookie(name: &'static str, value: &str) -> Cookie<'static> {
    Cookie::build(name, value.to_owned())
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax)
        .finish()
}

pub(crate) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location.to_owned())).finish()
}

fn role_label(lang: Lang, role: Role) -> &'static str {
    match (lang, role) {
        (Lang::Fr, Role::Association) => "association",
        (Lang::Fr, Role::Manager) => "gestion",
        (Lang::Fr, Role::Finance) => "finances",
        (Lang::Fr, Role::Admin) => "administration",
        (Lang::En, Role::Association) => "association",
        (Lang::En, Role::Manager) => "manager",
        (Lang::En, Role::Finance) => "finance",
        (Lang::En, Role::Admin) => "admin",
    }
}

fn status_label(lang: Lang, status: &str) -> String {
    let (fr, en) = match status {
        "requested" => ("demandée", "requested"),
        "approved" => ("approuvée — à payer", "approved — to pay"),
        "rejected" => ("refusée", "rejected"),
        "expired" => ("expirée", "expired"),
        "paid" => ("payée", "paid"),
        "completed" => ("terminée", "completed"),
        "settled" => ("reversée à l'établissement", "paid out to the establishment"),
        "cancelled" => ("annulée", "cancelled"),
        other => (other, other),
    };
    if lang == Lang::Fr { fr.to_owned() } else { en.to_owned() }
}

pub(crate) fn kind_label(lang: Lang, kind: RoomKind) -> &'static str {
    let (fr, en) = match kind {
        RoomKind::Classroom => ("Salle de classe", "Classroom"),
        RoomKind::Multipurpose => ("Salle polyvalente", "Multipurpose hall"),
        RoomKind::GymHall => ("Gymnase", "Gymnasium"),
        RoomKind::SportsField => ("Terrain de sport", "Sports field"),
        RoomKind::Auditorium => ("Auditorium", "Auditorium"),
        RoomKind::MusicRoom => ("Salle de musique", "Music room"),
        RoomKind::Canteen => ("Restaurant scolaire", "Canteen"),
        RoomKind::MeetingRoom => ("Salle de réunion", "Meeting room"),
        RoomKind::ScienceLab => ("Laboratoire", "Science lab"),
        RoomKind::Other => ("Autre", "Other"),
    };
    if lang == Lang::Fr { fr } else { en }
}

pub(crate) fn equipment_label(lang: Lang, e: Equipment) -> &'static str {
    let (fr, en) = match e {
        Equipment::Projector => ("Vidéoprojecteur", "Projector"),
        Equipment::SoundSystem => ("Sonorisation", "Sound system"),
        Equipment::Stage => ("Scène", "Stage"),
        Equipment::Kitchen => ("Cuisine", "Kitchen"),
        Equipment::Wifi => ("Wi-Fi", "Wi-Fi"),
        Equipment::Piano => ("Piano", "Piano"),
        Equipment::Whiteboard => ("Tableau blanc", "Whiteboard"),
        Equipment::SportsEquipment => ("Matériel de sport", "Sports equipment"),
        Equipment::ChangingRooms => ("Vestiaires", "Changing rooms"),
        Equipment::Chairs => ("Chaises", "Chairs"),
        Equipment::Tables => ("Tables", "Tables"),
        Equipment::Screen => ("Écran", "Screen"),
    };
    if lang == Lang::Fr { fr } else { en }
}

pub(crate) const KINDS: [RoomKind; 10] = [
    RoomKind::Classroom,
    RoomKind::Multipurpose,
    RoomKind::GymHall,
    RoomKind::SportsField,
    RoomKind::Auditorium,
    RoomKind::MusicRoom,
    RoomKind::Canteen,
    RoomKind::MeetingRoom,
    RoomKind::ScienceLab,
    RoomKind::Other,
];
pub(crate) const EQUIPMENT: [Equipment; 9] = [
    Equipment::Projector,
    Equipment::SoundSystem,
    Equipment::Stage,
    Equipment::Kitchen,
    Equipment::Wifi,
    Equipment::Piano,
    Equipment::Whiteboard,
    Equipment::SportsEquipment,
    Equipment::ChangingRooms,
];

pub(crate) fn code<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// One local day of a room's calendar as the pages show it: (time range,
/// status code, status label), free times only when `with_free`.
pub(crate) fn day_slots(
    lang: Lang,
    intervals: &[salle_projections::availability::Interval],
    day: NaiveDate,
    with_free: bool,
) -> Vec<(String, String, String)> {
    let en = lang == Lang::En;
    intervals
        .iter()
        .filter(|i| i.start.with_timezone(&LOCAL_TZ).date_naive() == day)
        .filter(|i| with_free || i.status != Status::Free)
        .map(|i| {
            let (code, label) = match i.status {
                Status::Free => ("free", if en { "free" } else { "libre" }),
                Status::Held => ("held", if en { "requested" } else { "demandé" }),
                Status::Booked => ("booked", if en { "booked" } else { "réservé" }),
            };
            (format!("{}–{}", local_time(i.start), local_time(i.end)), code.to_owned(), label.to_owned())
        })
        .collect()
}

pub(crate) fn local_time(at: chrono::DateTime<Utc>) -> String {
    at.with_timezone(&LOCAL_TZ).format("%H:%M").to_string()
}

pub(crate) fn local_day(at: chrono::DateTime<Utc>) -> String {
    salle_events::time::fr_date(at.with_timezone(&LOCAL_TZ).date_naive())
}

/// `GET /static/carte.js`: the results' map.
#[get("/static/carte.js")]
pub async fn map_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(salle_web::layout::MAP_SCRIPT)
}

/// `GET /static/leaflet/{file}`: the vendored Leaflet.
#[get("/static/leaflet/{file:.*}")]
pub async fn leaflet(path: web::Path<String>) -> HttpResponse {
    match salle_web::layout::LEAFLET.iter().find(|(name, _, _)| *name == path.as_str()) {
        Some((_, content_type, bytes)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .body(*bytes),
        None => HttpResponse::NotFound().finish(),
    }
}

#[get("/static/salle.css")]
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}

/// `GET /`: the search form; with `near`, its results.
#[get("/")]
pub async fn home(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let get = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let form = SearchForm {
        near: get("near"),
        radius_km: get("radius_km"),
        date: get("date"),
        start: get("start"),
        end: get("end"),
        capacity: get("capacity"),
        kind: get("kind"),
        equipment: query.iter().filter(|(k, _)| k == "equipment").map(|(_, v)| v.clone()).collect(),
        step_free: get("step_free") == "true",
    };
    let choices = Choices {
        communes: state.communes.all().iter().map(|c| c.name.clone()).collect(),
        kinds: KINDS.iter().map(|k| (code(*k), kind_label(visitor.lang, *k).to_owned())).collect(),
        equipment: EQUIPMENT
            .iter()
            .map(|e| (code(*e), equipment_label(visitor.lang, *e).to_owned()))
            .collect(),
    };
    let chrome = visitor.chrome(&state).await;
    if form.near.trim().is_empty() {
        return Ok(visitor.ok(views::search(&chrome, &form, &choices, &[], None)));
    }
    let mut params: HashMap<String, String> = HashMap::new();
    for (k, v) in [
        ("near", &form.near),
        ("radius_km", &form.radius_km),
        ("capacity", &form.capacity),
        ("kind", &form.kind),
    ] {
        params.insert(k.into(), v.clone());
    }
    params.insert("equipment".into(), form.equipment.join(","));
    if form.step_free {
        params.insert("step_free".into(), "true".into());
    }
    let mut errors = vec![];
    if !form.date.is_empty() || !form.start.is_empty() || !form.end.is_empty() {
        match (
            salle_events::time::parse_day("date", &form.date),
            NaiveTime::parse_from_str(&form.start, "%H:%M"),
            NaiveTime::parse_from_str(&form.end, "%H:%M"),
        ) {
            (Ok(day), Ok(start), Ok(end)) => {
                for (name, time) in [("start", start), ("end", end)] {
                    match salle_events::time::local_instant(day, time) {
                        Ok(at) => {
                            params.insert(name.into(), at.with_timezone(&LOCAL_TZ).to_rfc3339());
                        }
                        Err(r) => errors.push(r.message),
                    }
                }
            }
            _ => errors
                .push("Pour chercher un créneau, donnez la date, l'heure de début et l'heure de fin.".into()),
        }
    }
    let parsed = if errors.is_empty() {
        crate::http::search::parse_query(&state, &params).map_err(|e| errors.push(e.to_string())).ok()
    } else {
        None
    };
    let Some(search) = parsed else {
        return Ok(visitor.html(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            views::search(&chrome, &form, &choices, &errors, None),
        ));
    };
    let found = state.search.read_index(|index| index.search(&search, &state.commands.calendar));
    let lines: Vec<ResultLine> = found
        .results
        .iter()
        .map(|hit| ResultLine {
            room_href: format!("/salles/{}", hit.room_id),
            room_name: hit.room_name.clone(),
            establishment_name: hit.establishment_name.clone(),
            commune: state
                .communes
                .by_insee(&hit.commune_insee)
                .map_or(hit.commune_insee.clone(), |c| c.name.clone()),
            kind_label: kind_label(visitor.lang, hit.kind).to_owned(),
            capacity: hit.capacity,
            distance: format!("{:.1} km", hit.distance_km).replace('.', ","),
            point: state.search.read_index(|i| i.establishment_point(hit.establishment_id)),
            price: hit.price.map(|p| p.to_string()),
            free: hit.free.iter().map(|i| format!("{}–{}", local_time(i.start), local_time(i.end))).collect(),
        })
        .collect();
    Ok(visitor.ok(views::search(&chrome, &form, &choices, &[], Some((&lines, found.total)))))
}

#[derive(Debug, Deserialize)]
pub struct Week {
    semaine: Option<NaiveDate>,
}

/// `GET /salles/{id}`: the room, a week of availability, the request form.
#[get("/salles/{id}")]
pub async fn room_page(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<Uuid>,
    week: web::Query<Week>,
) -> Result<HttpResponse, PageError> {
    let room_id = path.into_inner();
    let view = room_view(&state, &visitor, room_id, week.semaine).await?;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::room(&chrome, &view, None)))
}

/// `GET /etablissements/{id}`: an establishment and the rooms it offers (anyone).
#[get("/etablissements/{id}")]
pub async fn establishment_page(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let establishment = state.commands.establishment(id).await?;
    if establishment.id.is_none() {
        return Err(AppError::NotFound("Cet établissement n'existe pas.".into()).into());
    }
    let rooms = state
        .search
        .read_index(|i| i.rooms_of(id))
        .into_iter()
        .filter(|r| !r.withdrawn)
        .map(|r| {
            (
                format!("/salles/{}", r.room_id),
                r.name,
                kind_label(visitor.lang, r.kind).to_owned(),
                r.capacity,
            )
        })
        .collect();
    let view = views::EstablishmentView {
        kind_label: establishment
            .kind
            .map(|k| establishment_kind_label(visitor.lang, k))
            .unwrap_or_default()
            .to_owned(),
        commune: state
            .communes
            .by_insee(&establishment.commune_insee)
            .map_or_else(|| establishment.commune_insee.clone(), |c| c.name.clone()),
        accepts_payments: establishment.accepts_payments(),
        suspended: establishment.suspended,
        name: establishment.name,
        address: establishment.address,
        rooms,
    };
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::establishment(&chrome, &view)))
}

fn establishment_kind_label(
    lang: Lang,
    kind: salle_events::catalog::establishment::EstablishmentKind,
) -> &'static str {
    use salle_events::catalog::establishment::EstablishmentKind as K;
    let (fr, en) = match kind {
        K::College => ("Collège", "Collège (lower secondary school)"),
        K::Gymnasium => ("Gymnase", "Gymnasium"),
        K::Auditorium => ("Auditorium", "Auditorium"),
        K::CulturalVenue => ("Lieu culturel", "Cultural venue"),
        K::Other => ("Autre établissement", "Other establishment"),
    };
    if lang == Lang::Fr { fr } else { en }
}

async fn room_view(
    state: &AppState,
    visitor: &Visitor,
    room_id: Uuid,
    week: Option<NaiveDate>,
) -> Result<RoomView, AppError> {
    let room = state.commands.room(room_id).await?;
    let Some(details) = room.details.clone().filter(|_| room.exists()) else {
        return Err(AppError::NotFound("Cette salle n'existe pas.".into()));
    };
    let establishment = state.commands.establishment(room.establishment_id).await?;
    let today = Utc::now().with_timezone(&LOCAL_TZ).date_naive();
    let monday = {
        let day = match week {
            Some(day) => {
                salle_events::time::check_day("semaine", day).map_err(crate::domain::DomainError::from)?
            }
            None => today,
        };
        day - Duration::days(day.weekday().num_days_from_monday() as i64)
    };
    let sunday = monday + Duration::days(6);
    let intervals = room_calendar(&state.store, &state.commands.calendar, room_id, monday, sunday)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .unwrap_or_default();
    let days = (0..7)
        .map(|offset| {
            let day = monday + Duration::days(offset);
            CalendarDay {
                label: salle_events::time::fr_date(day),
                intervals: day_slots(visitor.lang, &intervals, day, true),
            }
        })
        .collect();
    let tariff = state.commands.tariff_for(room.establishment_id).await?;
    let categories = [
        ("local_association", "Association locale"),
        ("other_association", "Autre association"),
        ("public_body", "Organisme public"),
        ("company", "Entreprise"),
    ];
    let tariff_lines = match details.hourly_rate_cents {
        Some(rate) => vec![("Toutes catégories".to_owned(), Money::eur(rate).to_string())],
        None => categories
            .iter()
            .filter_map(|(code, label)| {
                let category = serde_json::from_value(serde_json::json!(code)).ok()?;
                let rate = tariff.as_ref()?.hourly_rates_cents.get(&category)?;
                Some(((*label).to_owned(), Money::eur(*rate).to_string()))
            })
            .collect(),
    };
    Ok(RoomView {
        id: room_id.to_string(),
        name: details.name.clone(),
        establishment_name: establishment.name.clone(),
        establishment_href: format!("/etablissements/{}", room.establishment_id),
        address: establishment.address.clone(),
        kind_label: kind_label(visitor.lang, details.kind).to_owned(),
        capacity: details.capacity,
        equipment: details.equipment.iter().map(|e| equipment_label(visitor.lang, *e).to_owned()).collect(),
        step_free: details.step_free,
        description: details.description.clone(),
        approval_label: match details.approval {
            salle_events::catalog::room::ApprovalMode::Automatic => {
                "Réservation confirmée sans attendre".into()
            }
            salle_events::catalog::room::ApprovalMode::Manual => {
                "Chaque demande est approuvée par l'établissement".into()
            }
        },
        tariff: tariff_lines,
        week_label: format!(
            "du {} au {}",
            salle_events::time::fr_date(monday),
            salle_events::time::fr_date(sunday)
        ),
        previous_week: format!("/salles/{room_id}?semaine={}#semaine", monday - Duration::days(7)),
        next_week: format!("/salles/{room_id}?semaine={}#semaine", monday + Duration::days(7)),
        days,
        can_request: visitor.account.as_ref().is_some_and(|a| a.role == Role::Association),
        payments_not_ready: !state.commands.accepts_payments(&establishment),
        request: views::RequestValues::default(),
    })
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    csrf: String,
    email: String,
    password: String,
}

#[get("/connexion")]
pub async fn sign_in_page(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    if visitor.account.is_some() {
        return Ok(see_other("/reservations"));
    }
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::sign_in(&chrome, "", None)))
}

/// `POST /connexion`: a new session (a new token each time), then the bookings.
#[post("/connexion")]
pub async fn sign_in(
    state: web::Data<AppState>,
    client: ClientAddress,
    visitor: Visitor,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check(&form.csrf)?;
    let chrome = visitor.chrome(&state).await;
    let account = match crate::app::sign_in::attempt(
        &state.store,
        &state.sign_ins,
        &form.email,
        &form.password,
        client.0,
    )
    .await
    {
        Ok(account) => account,
        Err(e @ (SignInError::Wrong | SignInError::RateLimited { .. })) => {
            let error = AppError::from(e);
            let mut answer = visitor.html(
                actix_web::ResponseError::status_code(&error),
                views::sign_in(&chrome, &form.email, Some(&error.to_string())),
            );
            if let Some(secs) = error.retry_after_secs()
                && let Ok(value) = header::HeaderValue::from_str(&secs.to_string())
            {
                answer.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Ok(answer);
        }
        Err(e) => return Err(AppError::from(e).into()),
    };
    if let Some(old) = &visitor.session {
        accounts::sign_out(&state.store, old).await?;
    }
    let issued = accounts::sign_in(&state.store, account.user_id, SessionKind::Web, Utc::now()).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/reservations"))
        .cookie(host_cookie(SESSION_COOKIE, &issued.token))
        .finish())
}

const CATEGORIES: [(&str, &str, &str); 4] = [
    ("local_association", "Association locale", "Local association"),
    ("other_association", "Autre association", "Other association"),
    ("public_body", "Organisme public", "Public body"),
    ("company", "Entreprise", "Company"),
];

pub(crate) fn categories(lang: Lang) -> Vec<(String, String)> {
    CATEGORIES
        .iter()
        .map(|(c, fr, en)| ((*c).to_owned(), (if lang == Lang::Fr { *fr } else { *en }).to_owned()))
        .collect()
}

#[get("/inscription")]
pub async fn sign_up_page(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let chrome = visitor.chrome(&state).await;
    let values = views::SignUpValues { category: "local_association".into(), ..Default::default() };
    Ok(visitor.ok(views::sign_up(&chrome, &values, &categories(visitor.lang), None)))
}

#[derive(Debug, Deserialize)]
pub struct SignUpForm {
    csrf: String,
    name: String,
    identifier: String,
    category: String,
    contact_name: String,
    #[serde(default)]
    phone: String,
    email: String,
    password: String,
}

/// `POST /inscription`: the association and its account, then signed in.
#[post("/inscription")]
pub async fn sign_up(
    state: web::Data<AppState>,
    client: ClientAddress,
    visitor: Visitor,
    form: web::Form<SignUpForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check(&form.csrf)?;
    let identifier = form.identifier.trim();
    let rna = identifier.to_ascii_uppercase().starts_with('W');
    let category = serde_json::from_value(serde_json::json!(form.category)).map_err(|_| {
        AppError::from(crate::domain::DomainError::rule(
            "invalid_category",
            "Choisissez une catégorie de la liste.",
        ))
    });
    let created = match category {
        Ok(category) => {
            let body = api::NewAssociation {
                name: form.name.clone(),
                rna: rna.then(|| identifier.to_owned()),
                siret: (!rna).then(|| identifier.to_owned()),
                category,
                email: form.email.clone(),
                password: form.password.clone(),
                contact_name: form.contact_name.clone(),
                phone: Some(form.phone.clone()).filter(|p| !p.trim().is_empty()),
            };
            api::register_association(&state, &body, client).await
        }
        Err(e) => Err(e),
    };
    match created {
        Ok(_) => {
            let account = accounts::authenticate(&state.store, &form.email, &form.password).await?;
            let Some(account) = account else { return Ok(see_other("/connexion")) };
            let issued =
                accounts::sign_in(&state.store, account.user_id, SessionKind::Web, Utc::now()).await?;
            Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/reservations"))
                .cookie(host_cookie(SESSION_COOKIE, &issued.token))
                .finish())
        }
        Err(
            e @ (AppError::Unprocessable { .. }
            | AppError::Conflict { .. }
            | AppError::TooManyRequests { .. }),
        ) => {
            let values = views::SignUpValues {
                name: form.name.clone(),
                identifier: form.identifier.clone(),
                category: form.category.clone(),
                contact_name: form.contact_name.clone(),
                email: form.email.clone(),
                phone: form.phone.clone(),
            };
            let chrome = visitor.chrome(&state).await;
            let status = actix_web::ResponseError::status_code(&e);
            Ok(visitor.html(
                status,
                views::sign_up(&chrome, &values, &categories(visitor.lang), Some(&e.to_string())),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

#[post("/deconnexion")]
pub async fn sign_out(
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    visitor.check(&form.csrf)?;
    if let Some(token) = &visitor.session {
        accounts::sign_out(&state.store, token).await?;
    }
    let mut gone = host_cookie(SESSION_COOKIE, "");
    gone.make_removal();
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/")).cookie(gone).finish())
}

/// `GET /reservations`: the association's own, the manager's (pending first).
#[get("/reservations")]
pub async fn bookings_page(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
) -> Result<HttpResponse, PageError> {
    let filter = match caller.role() {
        Role::Association => Filter { association: caller.0.association_id, ..Default::default() },
        Role::Manager => Filter {
            establishments: Some(accounts::establishments_of(&state.store, caller.user_id()).await?),
            ..Default::default()
        },
        Role::Finance | Role::Admin => Filter::default(),
    };
    let mut rows =
        bookings::list(&state.store, &filter, 500).await.map_err(|e| AppError::Internal(e.into()))?;
    if caller.role() == Role::Manager {
        rows.sort_by_key(|r| r.status != "requested");
    }
    let mut lines = vec![];
    // Each room's name once, from the read model (not by replaying its stream).
    let mut names: HashMap<Uuid, String> = HashMap::new();
    for r in &rows {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(r.room_id) {
            let name = bookings::room_name(&state.store, r.room_id)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            slot.insert(name.unwrap_or_default());
        }
        lines.push(BookingLine {
            href: format!("/reservations/{}", r.booking_id),
            when: format!("{} {}–{}", local_day(r.start_at), local_time(r.start_at), local_time(r.end_at)),
            room: names.get(&r.room_id).cloned().unwrap_or_default(),
            status_label: status_label(visitor.lang, &r.status),
            price: Money::eur(r.price_cents).to_string(),
            pending: caller.role() == Role::Manager && r.status == "requested",
        });
    }
    let heading = match caller.role() {
        Role::Manager => "Demandes et réservations de l'établissement",
        Role::Association => "Mes réservations",
        _ => "Réservations",
    };
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::bookings(&chrome, heading, &lines, None)))
}

/// `GET /reservations/{id}`
#[get("/reservations/{id}")]
pub async fn booking_page(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
    asked: web::Query<LedgerPeriod>,
) -> Result<HttpResponse, PageError> {
    let (_, as_of) = asked.read()?;
    let view = booking_view(&state, &caller, visitor.lang, path.into_inner(), as_of).await?;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::booking(&chrome, &view, None)))
}

async fn booking_view(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    booking_id: Uuid,
    as_of: Option<chrono::DateTime<Utc>>,
) -> Result<BookingView, AppError> {
    let row = api::visible_booking(state, caller, booking_id).await?;
    let room = state.commands.room(row.room_id).await?;
    let booking = room.booking(booking_id)?.clone();
    let establishment = state.commands.establishment(room.establishment_id).await?;
    let now = Utc::now();
    let role = caller.role();
    let refund = booking
        .refund_on_cancel(
            salle_events::catalog::room::CancelledBy::Association,
            now,
            &establishment.cancellation_policy,
        )
        .ok();
    let status = booking.status.as_str();
    let mut events = api::booking_events(state, row.room_id, booking_id).await?;
    events.sort_by_key(|e| (e.recorded_at, e.global_position));
    // Finance, admins and the establishment's managers see what each event wrote in the ledger.
    let mut written: HashMap<Uuid, Vec<(String, String, String, String)>> = HashMap::new();
    if role != Role::Association {
        let cents = |c: i64| if c == 0 { String::new() } else { Money::eur(c).to_string() };
        let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
        for l in salle_projections::ledger::lines_of_events(&state.store, &ids)
            .await
            .map_err(|e| AppError::Internal(e.into()))?
        {
            written.entry(l.line.event_id).or_default().push((
                l.line.account.clone(),
                salle_projections::ledger::accounts::name(&l.line.account).to_owned(),
                cents(l.line.debit_cents),
                cents(l.line.credit_cents),
            ));
        }
    }
    let mut names: HashMap<String, String> = HashMap::new();
    let mut history = vec![];
    for e in events.iter().filter(|e| as_of.is_none_or(|t| e.recorded_at <= t)) {
        let actor = e.metadata.actor.clone().unwrap_or_default();
        let who = match names.get(&actor) {
            Some(name) => name.clone(),
            None => {
                let name = match actor.parse::<Uuid>() {
                    Ok(id) => match accounts::by_id(&state.store, id).await? {
                        Some(a) => format!("{} — {}", a.name, role_label(lang, a.role)),
                        None => actor.clone(),
                    },
                    Err(_) => actor.clone(),
                };
                names.insert(actor.clone(), name.clone());
                name
            }
        };
        history.push(views::HistoryLine {
            when: format!("{} {}", local_day(e.recorded_at), local_time(e.recorded_at)),
            what: e.event_type.clone(),
            who,
            event_id: e.event_id.to_string(),
            ledger: written.remove(&e.event_id).unwrap_or_default(),
        });
    }
    Ok(BookingView {
        id: booking_id.to_string(),
        when: format!(
            "{} {}–{}",
            local_day(booking.slot.start()),
            local_time(booking.slot.start()),
            local_time(booking.slot.end())
        ),
        room: room.details.as_ref().map(|d| d.name.clone()).unwrap_or_default(),
        room_href: format!("/salles/{}", row.room_id),
        status_label: status_label(lang, status),
        price: booking.price.to_string(),
        history,
        as_of: as_of.map(|t| format!("{} {}", local_day(t), local_time(t))),
        actions: views::Actions {
            approve_reject: role == Role::Manager && status == "requested",
            series_pending: booking
                .series_id
                .filter(|_| role == Role::Manager && status == "requested")
                .map(|series| {
                    room.bookings
                        .values()
                        .filter(|b| b.series_id == Some(series) && b.status.as_str() == "requested")
                        .count()
                })
                .filter(|n| *n > 1),
            pay: role == Role::Association && status == "approved" && !booking.is_free(),
            cancel: matches!(role, Role::Association | Role::Manager)
                && matches!(status, "requested" | "approved" | "paid")
                && now < booking.slot.start(),
            refund_if_cancelled: (role == Role::Association && status == "paid")
                .then(|| refund.unwrap_or(Money::ZERO).to_string()),
        },
        receipt_href: booking.paid.is_some().then(|| format!("/reservations/{booking_id}/recu")),
    })
}

/// `GET /reservations/{id}/recu`: the payment receipt of a paid booking,
/// for whoever may see the booking.
#[get("/reservations/{id}/recu")]
pub async fn receipt_page(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let booking_id = path.into_inner();
    let row = api::visible_booking(&state, &caller, booking_id).await?;
    let room = state.commands.room(row.room_id).await?;
    let booking = room.booking(booking_id)?.clone();
    let (Some(paid), Some(payment_ref)) = (booking.paid, booking.payment_ref.clone()) else {
        return Err(
            AppError::NotFound("Cette réservation n'a pas été payée : elle n'a pas de reçu.".into()).into()
        );
    };
    let establishment = state.commands.establishment(room.establishment_id).await?;
    let association = state.commands.association(booking.association_id).await?;
    let events = api::booking_events(&state, row.room_id, booking_id).await?;
    let paid_on = events
        .iter()
        .find(|e| e.event_type == "BookingPaid")
        .map(|e| format!("{} {}", local_day(e.recorded_at), local_time(e.recorded_at)))
        .unwrap_or_default();
    let payment = state.commands.payment(booking_id).await?;
    let lang = visitor.lang;
    let issued: Vec<Money> = payment.refunds.values().filter(|(_, done)| *done).map(|(m, _)| *m).collect();
    let refunds = issued
        .iter()
        .map(|m| (if lang == Lang::Fr { "Remboursé" } else { "Refunded" }.to_owned(), m.to_string()))
        .collect();
    let net = Money::eur(paid.amount_cents - issued.iter().map(|m| m.amount_cents).sum::<i64>());
    let identifier = association.identifier.as_ref().map(ToString::to_string).unwrap_or_default();
    let view = views::ReceiptView {
        number: booking_id.simple().to_string()[24..].to_uppercase(),
        booking_href: format!("/reservations/{booking_id}"),
        establishment: establishment.name,
        establishment_address: establishment.address,
        association: association.name,
        association_identifier: identifier,
        room: room.details.as_ref().map(|d| d.name.clone()).unwrap_or_default(),
        when: format!(
            "{} {}–{}",
            local_day(booking.slot.start()),
            local_time(booking.slot.start()),
            local_time(booking.slot.end())
        ),
        purpose: booking.purpose.clone(),
        paid_on,
        amount: paid.to_string(),
        payment_ref,
        refunds,
        net: net.to_string(),
    };
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::receipt(&chrome, &view)))
}

#[derive(Debug, Deserialize)]
pub struct RequestForm {
    csrf: String,
    room_id: Uuid,
    date: String,
    start: String,
    end: String,
    attendees: String,
    purpose: String,
    #[serde(default)]
    repeat_weekly_until: String,
    /// A weekly series is shown before it is sent; this is the confirmation.
    #[serde(default)]
    confirmed: bool,
}

/// `POST /reservations`: a request from the room page.
#[post("/reservations")]
pub async fn request(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    form: web::Form<RequestForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check(&form.csrf)?;
    let time = |t: &str| {
        NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| {
            AppError::from(crate::domain::DomainError::rule(
                "invalid_time",
                format!("« {t} » n'est pas une heure (HH:MM)."),
            ))
        })
    };
    let rule =
        |code: &'static str, message: String| AppError::from(crate::domain::DomainError::rule(code, message));
    let date = |d: &str| salle_events::time::parse_day("date", d).map_err(|r| rule(r.code, r.message));
    let attempt = async {
        let day = date(&form.date)?;
        let instant = |t: NaiveTime| {
            salle_events::time::local_instant(day, t)
                .map(|at| at.with_timezone(&LOCAL_TZ).fixed_offset())
                .map_err(|r| AppError::from(crate::domain::DomainError::from(r)))
        };
        let attendees = form.attendees.trim().parse::<u32>().map_err(|_| {
            rule("invalid_attendees", "Indiquez le nombre de participants (un nombre entier).".into())
        })?;
        let until = match form.repeat_weekly_until.trim() {
            "" => None,
            d => Some(date(d)?),
        };
        let body = NewBooking {
            room_id: form.room_id,
            start: instant(time(&form.start)?)?,
            end: instant(time(&form.end)?)?,
            attendees,
            purpose: form.purpose.clone(),
            repeat_weekly_until: until,
        };
        if let (Some(until), false) = (until, form.confirmed) {
            return preview(&state, &visitor, &caller, &body, until).await.map(Err);
        }
        api::request_booking(&state, &caller, &body).await.map(Ok)
    };
    match attempt.await {
        Ok(Err(preview_page)) => Ok(preview_page),
        Ok(Ok(answer)) => {
            Ok(see_other(&format!("/reservations/{}", answer["id"].as_str().unwrap_or_default())))
        }
        Err(e @ (AppError::Unprocessable { .. } | AppError::Conflict { .. })) => {
            let mut view = room_view(&state, &visitor, form.room_id, form.date.parse().ok()).await?;
            // Nothing typed is lost: the form comes back as it was sent.
            view.request = views::RequestValues {
                date: form.date.clone(),
                start: form.start.clone(),
                end: form.end.clone(),
                attendees: form.attendees.clone(),
                purpose: form.purpose.clone(),
                repeat_weekly_until: form.repeat_weekly_until.clone(),
            };
            let chrome = visitor.chrome(&state).await;
            let status = actix_web::ResponseError::status_code(&e);
            Ok(visitor.html(status, views::room(&chrome, &view, Some(&e.to_string()))))
        }
        Err(e) => Err(e.into()),
    }
}

/// The page showing what a weekly series would book, skip and cost.
async fn preview(
    state: &AppState,
    visitor: &Visitor,
    caller: &Caller,
    body: &NewBooking,
    until: NaiveDate,
) -> Result<HttpResponse, AppError> {
    let association_id = caller.association()?;
    let category = state
        .commands
        .association(association_id)
        .await?
        .category
        .unwrap_or(salle_events::catalog::association::RequesterCategory::LocalAssociation);
    let (start, end) = (body.start.with_timezone(&LOCAL_TZ), body.end.with_timezone(&LOCAL_TZ));
    let series = crate::domain::room::SeriesRequest {
        series_id: Uuid::nil(),
        association_id,
        category,
        first_day: start.date_naive(),
        last_day: until,
        start_time: start.time(),
        end_time: end.time(),
        attendees: body.attendees,
        purpose: body.purpose.clone(),
    };
    let events = state.commands.preview_series(body.room_id, series, Utc::now()).await?;
    let mut total = Money::ZERO;
    let (mut booked, mut skipped) = (vec![], vec![]);
    for e in &events {
        match e {
            salle_events::catalog::room::RoomEvent::BookingRequested { price, .. } => {
                total.amount_cents += price.amount_cents
            }
            salle_events::catalog::room::RoomEvent::WeeklySeriesRequested {
                booked: b, skipped: s, ..
            } => {
                booked = b.iter().map(|d| salle_events::time::fr_date(*d)).collect();
                skipped =
                    s.iter().map(|d| (salle_events::time::fr_date(d.date), d.message.clone())).collect();
            }
            _ => {}
        }
    }
    let room = state.commands.room(body.room_id).await?;
    let fields = vec![
        ("room_id", body.room_id.to_string()),
        ("date", start.date_naive().to_string()),
        ("start", start.format("%H:%M").to_string()),
        ("end", end.format("%H:%M").to_string()),
        ("attendees", body.attendees.to_string()),
        ("purpose", body.purpose.clone()),
        ("repeat_weekly_until", until.to_string()),
    ];
    let chrome = visitor.chrome(state).await;
    let name = room.details.map(|d| d.name).unwrap_or_default();
    Ok(visitor.ok(views::series_preview(&chrome, &name, &booked, &skipped, &total.to_string(), &fields)))
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
    reason: Option<String>,
}

/// `POST /reservations/{id}/{action}`: approve, reject, pay, cancel.
#[post("/reservations/{id}/{action}")]
pub async fn act(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<(Uuid, String)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check(&form.csrf)?;
    let (booking_id, action) = path.into_inner();
    let reason = form.reason.clone().unwrap_or_default();
    let back = format!("/reservations/{booking_id}");
    let outcome = match action.as_str() {
        "approuver" => api::approve_booking(&state, &caller, booking_id).await.map(|_| back.clone()),
        "approuver-serie" => decide_series(&state, &caller, booking_id, None).await.map(|_| back.clone()),
        "refuser-serie" => {
            decide_series(&state, &caller, booking_id, Some(&reason)).await.map(|_| back.clone())
        }
        "refuser" => api::reject_booking(&state, &caller, booking_id, &reason).await.map(|_| back.clone()),
        "annuler" => api::cancel_booking(&state, &caller, booking_id, &reason).await.map(|_| back.clone()),
        "payer" => api::checkout_for(&state, &caller, booking_id).await.map(|(_, url)| url),
        _ => return Err(AppError::NotFound(format!("Aucune action « {action} ».")).into()),
    };
    match outcome {
        Ok(location) => Ok(see_other(location.as_str())),
        Err(e @ (AppError::Unprocessable { .. } | AppError::Conflict { .. })) => {
            let view = booking_view(&state, &caller, visitor.lang, booking_id, None).await?;
            let chrome = visitor.chrome(&state).await;
            let status = actix_web::ResponseError::status_code(&e);
            Ok(visitor.html(status, views::booking(&chrome, &view, Some(&e.to_string()))))
        }
        Err(e) => Err(e.into()),
    }
}

/// Approves (no reason) or rejects (with one) every date of the booking's
/// weekly series that still awaits a decision.
async fn decide_series(
    state: &AppState,
    caller: &Caller,
    booking_id: Uuid,
    reject: Option<&str>,
) -> Result<(), AppError> {
    let row = api::managed_booking(state, caller, booking_id).await?;
    let room = state.commands.room(row.room_id).await?;
    let Some(series_id) = room.booking(booking_id)?.series_id else {
        return Err(AppError::Unprocessable {
            code: "not_a_series",
            message: "Cette réservation ne fait pas partie d'une série.".into(),
        });
    };
    let (by, now) = (caller.user_id(), Utc::now());
    let meta = api::metadata(caller, series_id);
    let executed = state
        .commands
        .on_room(row.room_id, &meta, || match reject {
            None => crate::domain::room::RoomCommand::ApproveSeries { series_id, by, now },
            Some(reason) => crate::domain::room::RoomCommand::RejectSeries {
                series_id,
                by,
                reason: reason.to_owned(),
                now,
            },
        })
        .await?;
    api::bookings_reached(state, executed.append.log_position).await
}

/// The chain's head, for finance and admins.
async fn chain_head(state: &AppState, caller: &Caller) -> Option<views::ChainHead> {
    if !matches!(caller.role(), Role::Finance | Role::Admin) {
        return None;
    }
    let head = salle_events::audit::head(&state.store).await.ok()??;
    Some(views::ChainHead {
        position: head.global_position.to_string(),
        hash: head.hash,
        sealed: head.seq.to_string(),
    })
}

/// `GET /grand-livre`: the ledgers the visitor may read.
#[get("/grand-livre")]
pub async fn ledgers_page(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
) -> Result<HttpResponse, PageError> {
    caller.require(&[Role::Manager, Role::Finance, Role::Admin])?;
    let counted = salle_projections::ledger::establishments(&state.store)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let ids: Vec<(Uuid, i64)> = if caller.role() == Role::Manager {
        accounts::establishments_of(&state.store, caller.user_id())
            .await?
            .into_iter()
            .map(|id| (id, counted.iter().find(|(e, _)| *e == id).map_or(0, |(_, n)| *n)))
            .collect()
    } else {
        counted
    };
    let mut list = vec![];
    for (id, lines) in ids {
        let name = state.commands.establishment(id).await?.name;
        list.push((format!("/grand-livre/{id}"), name, lines));
    }
    list.sort_by(|a, b| a.1.cmp(&b.1));
    let whole = (caller.role() != Role::Manager).then_some("/grand-livre/departement");
    let head = chain_head(&state, &caller).await;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::ledgers(&chrome, &list, whole, head.as_ref())))
}

#[derive(Debug, Deserialize)]
pub struct LedgerPeriod {
    du: Option<String>,
    au: Option<String>,
    /// `2026-12-01T18:00` (local): the ledger as it stood then.
    a_la_date: Option<String>,
}

impl LedgerPeriod {
    /// The period and the instant asked for; each bad value named.
    fn read(&self) -> Result<(crate::finance::Period, Option<chrono::DateTime<Utc>>), AppError> {
        let filled =
            |v: &Option<String>| v.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned);
        let day = |v: &Option<String>| {
            filled(v)
                .map(|d| {
                    d.parse::<NaiveDate>().map_err(|_| AppError::BadRequest {
                        code: "invalid_date",
                        message: format!("« {d} » n'est pas une date : elles s'écrivent AAAA-MM-JJ."),
                    })
                })
                .transpose()
        };
        let period = crate::finance::Period::of_days(day(&self.du)?, day(&self.au)?)?;
        let as_of = match filled(&self.a_la_date) {
            None => None,
            Some(text) => {
                let local = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M")
                    .or_else(|_| chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S"))
                    .map_err(|_| AppError::BadRequest {
                        code: "invalid_instant",
                        message: format!("« {text} » n'est pas une date et heure (AAAA-MM-JJTHH:MM)."),
                    })?;
                Some(
                    salle_events::time::local_instant(local.date(), local.time())
                        .map_err(|r| AppError::from(crate::domain::DomainError::from(r)))?,
                )
            }
        };
        Ok((period, as_of))
    }

    fn query(&self, format: &str, establishment: Option<Uuid>) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("format", format);
        for (k, v) in [("du", &self.du), ("au", &self.au), ("a_la_date", &self.a_la_date)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                q.append_pair(k, v);
            }
        }
        if let Some(id) = establishment {
            q.append_pair("etablissement", &id.to_string());
        }
        q.finish()
    }
}

/// A ledger page's content: one establishment's, or all (`None`).
async fn ledger_view(
    state: &AppState,
    caller: &Caller,
    establishment: Option<Uuid>,
    name: String,
    asked: &LedgerPeriod,
) -> Result<views::LedgerPage, AppError> {
    let (period, as_of) = asked.read()?;
    let lines = crate::finance::lines(&state.store, establishment, &period, as_of)
        .await
        .map_err(AppError::Internal)?;
    let mut names: HashMap<Uuid, String> = HashMap::new();
    if establishment.is_none() {
        for id in lines.iter().map(|l| l.establishment_id) {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                slot.insert(state.commands.establishment(id).await?.name);
            }
        }
    }
    let mut totals: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for l in &lines {
        *totals.entry(l.line.account.clone()).or_default() += l.line.debit_cents - l.line.credit_cents;
    }
    let balances = totals
        .into_iter()
        .map(|(code, cents)| {
            let name = salle_projections::ledger::accounts::name(&code).to_owned();
            (code, name, Money::eur(cents).to_string())
        })
        .collect();
    let cents = |c: i64| if c == 0 { String::new() } else { Money::eur(c).to_string() };
    let lines = lines
        .iter()
        .map(|l| views::LedgerLineView {
            when: format!("{} {}", local_day(l.line.at), local_time(l.line.at)),
            account: l.line.account.clone(),
            account_name: salle_projections::ledger::accounts::name(&l.line.account).to_owned(),
            debit: cents(l.line.debit_cents),
            credit: cents(l.line.credit_cents),
            booking_href: l.line.booking_id.map(|b| format!("/reservations/{b}#historique")),
            event_id: l.line.event_id.to_string(),
            establishment: establishment
                .is_none()
                .then(|| names.get(&l.establishment_id).cloned().unwrap_or_default()),
        })
        .collect();
    let exports = if matches!(caller.role(), Role::Finance | Role::Admin) {
        [("CSV", "csv"), ("FEC", "fec"), ("hledger", "hledger")]
            .iter()
            .map(|(label, format)| {
                ((*label).to_owned(), format!("/grand-livre/export?{}", asked.query(format, establishment)))
            })
            .collect()
    } else {
        vec![]
    };
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    let reconciliation = matches!(caller.role(), Role::Finance | Role::Admin).then(|| {
        let query = asked.query("", establishment);
        let query = query.trim_start_matches("format=&");
        format!("/grand-livre/rapprochement?{query}").trim_end_matches('?').to_owned()
    });
    Ok(views::LedgerPage {
        name,
        from: field(&asked.du),
        to: field(&asked.au),
        as_of: field(&asked.a_la_date),
        lines,
        balances,
        exports,
        reconciliation,
    })
}

/// `GET /grand-livre/departement`: every establishment's lines (finance, admins).
#[get("/grand-livre/departement")]
pub async fn whole_ledger_page(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    period: web::Query<LedgerPeriod>,
) -> Result<HttpResponse, PageError> {
    caller.require(&[Role::Finance, Role::Admin])?;
    let name = match visitor.lang {
        Lang::Fr => "tout le département",
        Lang::En => "the whole département",
    };
    let page = ledger_view(&state, &caller, None, name.to_owned(), &period).await?;
    let head = chain_head(&state, &caller).await;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::ledger(&chrome, &page, head.as_ref())))
}

#[derive(Debug, Deserialize)]
pub struct ReconcileForm {
    etablissement: Option<Uuid>,
    #[serde(flatten)]
    period: LedgerPeriod,
}

/// `GET /grand-livre/rapprochement?etablissement=&du=&au=&a_la_date=`: the
/// ledger against the payment provider's records (finance, admins).
#[get("/grand-livre/rapprochement")]
pub async fn reconciliation_page(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    query: web::Query<ReconcileForm>,
) -> Result<HttpResponse, PageError> {
    use crate::finance::reconcile::{Problem, reconcile};
    use crate::payments::MovementKind;
    caller.require(&[Role::Finance, Role::Admin])?;
    if matches!(state.payments.gateway(), crate::payments::Gateway::Off) {
        return Err(AppError::Unprocessable {
            code: "no_payment_provider",
            message: "Aucun prestataire de paiement n'est configuré : il n'y a rien à rapprocher.".into(),
        }
        .into());
    }
    let lang = visitor.lang;
    let tr = |fr: &'static str, en: &'static str| if lang == Lang::Fr { fr } else { en };
    let (name, ledger_href) = match query.etablissement {
        Some(id) => {
            let found = state.commands.establishment(id).await?;
            if found.id.is_none() {
                return Err(AppError::NotFound("Cet établissement n'existe pas.".into()).into());
            }
            (found.name, format!("/grand-livre/{id}"))
        }
        None => {
            (tr("tout le département", "the whole département").to_owned(), "/grand-livre/departement".into())
        }
    };
    let (period, as_of) = query.period.read()?;
    let report = reconcile(&state.store, state.payments.gateway(), query.etablissement, &period, as_of)
        .await
        .map_err(|e| match e {
            crate::finance::reconcile::ReconcileError::Provider(p) => {
                AppError::Unavailable(format!("Le prestataire de paiement n'a pas répondu : {p}"))
            }
            crate::finance::reconcile::ReconcileError::Other(o) => AppError::Internal(o),
        })?;
    let kind_label = |k: MovementKind| match k {
        MovementKind::Charge => tr("Paiements", "Payments"),
        MovementKind::Refund => tr("Remboursements", "Refunds"),
        MovementKind::Transfer => tr("Virements à l'établissement", "Transfers to the establishment"),
        MovementKind::Reversal => tr("Reprises sur virements", "Transfer reversals"),
        MovementKind::Payout => tr("Versements vers la banque", "Payouts to the bank"),
    };
    let problem_label = |p: Problem| match p {
        Problem::MissingAtProvider => tr("absent chez le prestataire", "missing at the provider"),
        Problem::UnknownToLedger => tr("inconnu du grand livre", "unknown to the ledger"),
        Problem::Duplicate => tr("en double chez le prestataire", "duplicated at the provider"),
        Problem::AmountDiffers => tr("montants différents", "amounts differ"),
        Problem::PayoutsExceedTransfers => {
            tr("versements supérieurs aux virements reçus", "payouts exceed the transfers received")
        }
    };
    let amount = |c: Option<i64>| c.map_or_else(|| "—".to_owned(), |c| Money::eur(c).to_string());
    let totals = report
        .totals
        .iter()
        .map(|(kind, t)| views::ReconciliationTotal {
            kind: kind_label(*kind).to_owned(),
            ledger_count: t.ledger_count,
            ledger_amount: if *kind == MovementKind::Payout {
                tr("non détaillé", "not itemised").to_owned()
            } else {
                Money::eur(t.ledger_cents).to_string()
            },
            provider_count: t.provider_count,
            provider_amount: Money::eur(t.provider_cents).to_string(),
            matched: if *kind == MovementKind::Payout { "—".to_owned() } else { t.matched.to_string() },
        })
        .collect();
    let mut names: HashMap<Uuid, String> = HashMap::new();
    let mut mismatches = Vec::new();
    for m in &report.mismatches {
        let establishment = match m.establishment_id {
            Some(id) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                    slot.insert(state.commands.establishment(id).await?.name);
                }
                names.get(&id).cloned()
            }
            None => None,
        };
        mismatches.push(views::MismatchView {
            when: format!("{} {}", local_day(m.at), local_time(m.at)),
            kind: kind_label(m.kind).to_owned(),
            problem: problem_label(m.problem).to_owned(),
            reference: m.reference.clone(),
            establishment,
            booking_href: m.booking_id.map(|b| format!("/reservations/{b}#historique")),
            ledger: amount(m.ledger_cents),
            provider: amount(m.provider_cents),
            difference: Money::eur(m.difference_cents()).to_string(),
            event_id: m.event_id.map(|e| e.to_string()),
        });
    }
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    let page = views::ReconciliationPage {
        name,
        from: field(&query.period.du),
        to: field(&query.period.au),
        as_of: field(&query.period.a_la_date),
        establishment: query.etablissement.map(|e| e.to_string()),
        provider: report.provider.to_owned(),
        accounts: report.accounts.clone(),
        totals,
        mismatches,
        ledger_href,
    };
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::reconciliation(&chrome, &page)))
}

#[derive(Debug, Deserialize)]
pub struct ExportForm {
    format: String,
    etablissement: Option<Uuid>,
    #[serde(flatten)]
    period: LedgerPeriod,
}

/// `GET /grand-livre/export?format=&du=&au=&a_la_date=&etablissement=`: the
/// file, for finance and admins (the pages' twin of `GET /api/v1/ledger/export`).
#[get("/grand-livre/export")]
pub async fn ledger_download(
    state: web::Data<AppState>,
    SignedIn { caller, .. }: SignedIn,
    query: web::Query<ExportForm>,
) -> Result<HttpResponse, PageError> {
    caller.require(&[Role::Finance, Role::Admin])?;
    let format =
        crate::finance::export::Format::parse(&query.format).ok_or_else(|| AppError::BadRequest {
            code: "invalid_format",
            message: format!("« {} » n'est pas un format d'export (csv, fec ou hledger).", query.format),
        })?;
    let (period, as_of) = query.period.read()?;
    let exported = crate::finance::export(
        &state.commands,
        format,
        query.etablissement,
        &period,
        as_of,
        state.siren.as_deref(),
    )
    .await
    .map_err(AppError::from)?;
    Ok(api::file_answer(exported))
}

/// `GET /grand-livre/{id}?du=&au=&a_la_date=`: an establishment's ledger (its manager, finance, admins).
#[get("/grand-livre/{id}")]
pub async fn ledger_page(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
    period: web::Query<LedgerPeriod>,
) -> Result<HttpResponse, PageError> {
    let establishment_id = path.into_inner();
    let establishment = api::ledger_reader(&state, &caller, establishment_id).await?;
    let page = ledger_view(&state, &caller, Some(establishment_id), establishment.name, &period).await?;
    let head = chain_head(&state, &caller).await;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::ledger(&chrome, &page, head.as_ref())))
}

#[get("/mentions-legales")]
pub async fn legal(state: web::Data<AppState>, visitor: Visitor) -> HttpResponse {
    let chrome = visitor.chrome(&state).await;
    visitor.ok(views::legal(&chrome))
}

#[get("/accessibilite")]
pub async fn accessibility(state: web::Data<AppState>, visitor: Visitor) -> HttpResponse {
    let chrome = visitor.chrome(&state).await;
    visitor.ok(views::accessibility(&chrome))
}
