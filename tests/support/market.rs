//! A marketplace over HTTP for black-box tests: an admin, a gymnasium with
//! its manager and a free room open every day 08:00–22:00, and the calls
//! the tests make on it (sign-ups, requests).

use chrono::{Duration, NaiveDate, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::TestDb;
use super::app::{ADMIN, TestApp, spawn_app};

pub struct World {
    pub app: TestApp,
    pub admin: String,
    pub manager: String,
    pub room_id: String,
}

impl World {
    pub async fn new(db: TestDb) -> Self {
        Self::on(spawn_app(db).await).await
    }

    /// The same marketplace on an app started with other settings.
    pub async fn on(app: TestApp) -> Self {
        let admin = app.token(ADMIN.0, ADMIN.1).await;
        let establishment = json!({ "name": "Gymnase Jean Moulin", "kind": "gymnasium",
            "address": "1 rue du Stade", "commune_insee": "38563" });
        let (status, _, body) =
            app.api(Method::POST, "/establishments", Some(&admin), Some(establishment)).await;
        assert_eq!(status, 201, "{body}");
        let establishment_id = body["id"].as_str().unwrap().to_owned();
        let manager = json!({ "email": "gestion@salle.test", "password": "gestionnaire du gymnase", "name": "Gestion" });
        let path = format!("/establishments/{establishment_id}/managers");
        assert_eq!(app.api(Method::POST, &path, Some(&admin), Some(manager)).await.0, 201);
        let manager = app.token("gestion@salle.test", "gestionnaire du gymnase").await;
        let room = json!({ "name": "Grande salle", "kind": "gym_hall", "capacity": 60, "equipment": [],
            "step_free": true, "approval": "manual", "hourly_rate_cents": 0, "open_in_school_holidays": true,
            "opening": (1..=7).map(|d| json!({ "weekday": d, "start": "08:00", "end": "22:00" })).collect::<Vec<_>>() });
        let path = format!("/establishments/{establishment_id}/rooms");
        let (status, _, body) = app.api(Method::POST, &path, Some(&manager), Some(room)).await;
        assert_eq!(status, 201, "{body}");
        let room_id = body["id"].as_str().unwrap().to_owned();
        Self { app, admin, manager, room_id }
    }

    /// Signs an association up; answers its id and a token.
    pub async fn sign_up(&self, rna: Option<&str>, siret: Option<&str>, email: &str) -> (StatusCode, Value) {
        let body = json!({ "name": format!("Association {email}"), "rna": rna, "siret": siret,
            "category": "local_association", "email": email, "password": "un long mot de passe",
            "contact_name": "Anne Martin" });
        let (status, _, body) = self.app.api(Method::POST, "/associations", None, Some(body)).await;
        (status, body)
    }

    /// Signs an association up and follows the link of its e-mail; answers its id and a token.
    pub async fn association(&self, rna: &str, email: &str) -> (String, String) {
        let (status, body) = self.sign_up(Some(rna), None, email).await;
        assert_eq!(status, 201, "{body}");
        let id = self.app.confirm_sign_up(email).await;
        assert_eq!(id, body["id"].as_str().unwrap(), "the id announced at sign-up");
        (id, self.app.token(email, "un long mot de passe").await)
    }

    /// Asks for `day` 18:00–20:00 (weekly until `until`, if given).
    pub async fn request(
        &self,
        token: &str,
        day: NaiveDate,
        until: Option<NaiveDate>,
    ) -> (StatusCode, Value) {
        let at = |h: u32| {
            let time = chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap();
            salle::domain::time::local_instant(day, time).unwrap().to_rfc3339()
        };
        let mut body = json!({ "room_id": self.room_id, "start": at(18), "end": at(20), "attendees": 20,
            "purpose": "Répétition" });
        if let Some(until) = until {
            body["repeat_weekly_until"] = json!(until.to_string());
        }
        let (status, _, body) = self.app.api(Method::POST, "/bookings", Some(token), Some(body)).await;
        (status, body)
    }

    /// An association the département has verified, as `association` gives it.
    pub async fn verified_association(&self, rna: &str, email: &str) -> (String, String) {
        let (id, token) = self.association(rna, email).await;
        let path = format!("/associations/{id}/verification");
        let (status, body) = self.post(&path, &self.admin, json!({ "decision": "verified" })).await;
        assert_eq!(status, 200, "{body}");
        (id, token)
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let (status, _, body) = self.app.api(Method::PATCH, path, Some(token), Some(body)).await;
        (status, body)
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let (status, _, body) = self.app.api(Method::POST, path, Some(token), Some(body)).await;
        (status, body)
    }
}

/// The `n`-th day from ten days ahead that is not a public holiday.
pub fn day(n: i64) -> NaiveDate {
    let calendar = salle::domain::calendar::Calendar::isere().unwrap();
    let mut day = (Utc::now() + Duration::days(10)).date_naive();
    let mut left = n;
    loop {
        if calendar.public_holiday(day).is_none() {
            if left == 0 {
                return day;
            }
            left -= 1;
        }
        day = day.succ_opt().unwrap();
    }
}

pub fn code(status: StatusCode, body: &Value, expected: u16) -> String {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    body["error"]["code"].as_str().unwrap().to_owned()
}
