//! A browser without JavaScript for page tests: it keeps its cookies
//! (checking they are Secure, HttpOnly and SameSite=Lax), follows no
//! redirection, and reads the CSRF token of a page's forms.

use std::collections::HashMap;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

/// A browser: its cookies, no automatic redirections.
pub struct Browser {
    pub address: String,
    pub client: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            assert!(
                text.contains("Secure") && text.contains("HttpOnly") && text.contains("SameSite=Lax"),
                "{text}"
            );
            let (name, rest) = text.split_once('=').unwrap();
            let value = rest.split(';').next().unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> (u16, String, Option<String>) {
        let request = self.client.get(format!("{}{path}", self.address));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let request = self.client.post(format!("{}{path}", self.address)).form(form);
        self.send(request).await
    }

    /// Sends with the cookies, keeps those the answer sets: (status, body, Location).
    async fn send(&mut self, request: reqwest::RequestBuilder) -> (u16, String, Option<String>) {
        let response = request.header(COOKIE, self.cookie_header()).send().await.unwrap();
        self.keep_cookies(&response);
        let status = response.status().as_u16();
        let location = response.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_owned());
        (status, response.text().await.unwrap(), location)
    }
}

/// The value of the page's first CSRF field.
pub fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form with its CSRF token") + 19;
    html[at..at + 64].to_owned()
}

impl Browser {
    /// A browser on the server at `address` (no redirections followed).
    pub fn new(address: &str) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { address: address.to_owned(), client, cookies: HashMap::new() }
    }

    /// Signs in on `/connexion`, as a person does.
    pub async fn signed_in(address: &str, email: &str, password: &str) -> Self {
        let mut browser = Self::new(address);
        let (_, html, _) = browser.get("/connexion").await;
        let token = csrf(&html);
        let (status, html, _) =
            browser.post("/connexion", &[("csrf", &token), ("email", email), ("password", password)]).await;
        assert_eq!(status, 303, "signed in as {email}: {html}");
        browser
    }

    /// Pays or declines on the simulated provider's page at `url` (the
    /// `checkout_url` of `POST /bookings/{id}/pay`).
    pub async fn simulated_checkout(&mut self, url: &str, outcome: &str) -> u16 {
        let path = url.split_once("/paiement/").map(|(_, rest)| format!("/paiement/{rest}")).unwrap();
        let (status, html, _) = self.get(&path).await;
        assert_eq!(status, 200, "the checkout page: {html}");
        let token = csrf(&html);
        self.post(&path, &[("csrf", &token), ("outcome", outcome)]).await.0
    }
}
