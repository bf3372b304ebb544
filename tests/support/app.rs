//! One running salle for black-box tests: `spawn_app` builds the
//! application on port 0 on a fresh database, with the simulated payment
//! provider and a first admin, and returns a `TestApp` that talks to it.

use reqwest::StatusCode;
use salle::config::{AdminAccount, PaymentSettings, Settings};
use salle::mail::{Delivery, MailSettings};
use salle::startup::Application;
use serde_json::Value;

use super::TestDb;

pub const ADMIN: (&str, &str) = ("admin@salle.test", "mot de passe d'administration");

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    /// Where this salle writes its e-mail (one `.eml` per message).
    pub mail_dir: std::path::PathBuf,
}

/// The settings `spawn_app` uses; change them and call `spawn_with`.
pub fn settings(db: &TestDb) -> Settings {
    let mut settings = Settings::new(&db.url, "127.0.0.1:0", 8).unwrap();
    settings.admin = AdminAccount::from_settings(Some(ADMIN.0), Some(ADMIN.1)).unwrap();
    settings.payments = PaymentSettings::simulated("http://127.0.0.1:0");
    settings.mail = MailSettings::folder(mail_dir());
    settings.mail.retry_base = std::time::Duration::from_millis(200);
    settings.mail.poll = std::time::Duration::from_millis(100);
    settings
}

/// A new folder for one test's e-mail.
pub fn mail_dir() -> std::path::PathBuf {
    std::env::temp_dir().join("salle-test-mail").join(uuid::Uuid::now_v7().simple().to_string())
}

pub async fn spawn_app(db: TestDb) -> TestApp {
    let settings = settings(&db);
    spawn_with(db, settings).await
}

pub async fn spawn_with(db: TestDb, settings: Settings) -> TestApp {
    let mail_dir = match &settings.mail.delivery {
        Delivery::Folder(dir) => dir.clone(),
        Delivery::Smtp { .. } => std::path::PathBuf::new(),
    };
    let address = start(settings).await;
    TestApp { address, client: reqwest::Client::new(), db, mail_dir }
}

/// Builds the application with `settings` and serves it in the background;
/// answers its address. Every black-box test starts salle through here.
pub async fn start(settings: Settings) -> String {
    let app = Application::build(settings).await.expect("the application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    address
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `path` under `/api/v1`, with a JSON body when there is one.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut request = self.client.request(method, self.url(&format!("/api/v1{path}")));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let (status, headers) = (response.status(), response.headers().clone());
        let text = response.text().await.unwrap_or_default();
        (status, headers, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// The messages to `address`, once there are at least `count`.
    pub async fn mail_to(&self, address: &str, count: usize) -> Vec<super::mail::Received> {
        super::mail::to(&self.mail_dir, address, count).await
    }

    /// The last message to `address` whose subject contains `subject`.
    pub async fn mail(&self, address: &str, subject: &str) -> super::mail::Received {
        super::mail::last_with(&self.mail_dir, address, subject).await
    }

    /// Follows the link of the sign-up's e-mail to `address` (by the API);
    /// answers the association's id.
    pub async fn confirm_sign_up(&self, address: &str) -> String {
        let message = self.mail(address, "Confirmez votre adresse").await;
        let token = message.token("/inscription/confirmer/").expect("the confirmation link");
        let (status, _, body) = self
            .api(
                reqwest::Method::POST,
                "/associations/confirmations",
                None,
                Some(serde_json::json!({ "token": token })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// A bearer token for an account that exists.
    pub async fn token(&self, email: &str, password: &str) -> String {
        let body = serde_json::json!({ "email": email, "password": password });
        let (status, _, answer) = self.api(reqwest::Method::POST, "/auth/token", None, Some(body)).await;
        assert_eq!(status, 200, "{answer}");
        answer["token"].as_str().unwrap().to_owned()
    }
}
