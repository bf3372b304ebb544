//! The real binary for black-box tests: `salle serve --demo` on a port of
//! its own with its log in a file, waiting until it is ready, and a token.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_salle");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `salle serve --demo` on `database_url` (payments simulated, JSON logs to `log`).
pub fn serve_demo(database_url: &str, port: u16, log: &Path) -> Child {
    Command::new(BIN)
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .env("SALLE_DATABASE_URL", database_url)
        .env("SALLE_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,sqlx=warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

/// Waits (three minutes at most) until `/readyz` answers 200.
pub async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "salle never became ready at {base}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A bearer token for an account that exists.
pub async fn token(client: &reqwest::Client, base: &str, email: &str, password: &str) -> String {
    let body = serde_json::json!({ "email": email, "password": password });
    let answer = client.post(format!("{base}/api/v1/auth/token")).json(&body).send().await.unwrap();
    assert_eq!(answer.status(), 200, "signing in as {email}");
    let answer: serde_json::Value = answer.json().await.unwrap();
    answer["token"].as_str().unwrap().to_owned()
}
