//! One typed `Settings` value, built once from flags and environment at
//! start-up, validated, and passed down. Nothing reads the environment later.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use salle_events::{StoreOptions, store::backend_of};

/// The embedded store, created on first start next to where salle runs.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/salle.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite://…` (embedded) or `postgres://…`.
    pub database_url: String,
    pub bind: SocketAddr,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How long a graceful shutdown waits for requests in flight.
    pub shutdown_timeout: Duration,
    /// Number of HTTP worker threads (0: one per core).
    pub http_workers: usize,
    /// How often expired requests and unpaid bookings are looked for.
    pub expiry_interval: Duration,
    /// Run the projections and process managers in this process (`serve`
    /// alone, or with `SALLE_WORKERS=external` beside `salle worker`).
    pub run_workers: bool,
    /// Seed the demo marketplace at start when the log is empty.
    pub demo: bool,
    /// Print the demo accounts' e-mails and passwords on stderr (not with JSON
    /// logs, which are collected and must hold no personal data or secret).
    pub print_demo_accounts: bool,
    pub payments: PaymentSettings,
    /// The first admin, created at start when no account has its e-mail.
    pub admin: Option<AdminAccount>,
    /// `SALLE_SIREN`: the SIREN of the collectivity, which names FEC exports.
    pub siren: Option<String>,
    /// Where the source of the running version is published (AGPL-3.0 §13):
    /// the footer's "Code source" page links it.
    pub source_url: Option<String>,
    /// `SALLE_TRUSTED_PROXIES`: the reverse proxies (addresses or networks)
    /// whose `X-Forwarded-For` names the client; nobody else's is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `SALLE_METRICS_BIND`: a second listener for `/metrics` and the
    /// details of `/readyz`, where the public ingress does not route.
    pub metrics_bind: Option<SocketAddr>,
    /// `SALLE_SIGN_UPS_PER_HOUR`: sign-ups accepted from one address in an hour (0: no limit).
    pub sign_ups_per_hour: usize,
    /// `SALLE_UNVERIFIED_HOLD_LIMIT`: dates an association not verified yet
    /// may have awaiting a decision, in every room.
    pub unverified_hold_limit: usize,
    /// `SALLE_SMTP_URL`, `SALLE_MAIL_FROM`, `SALLE_MAIL_DIR`.
    pub mail: crate::mail::MailSettings,
}

/// `SALLE_ADMIN_EMAIL` and `SALLE_ADMIN_PASSWORD`.
#[derive(Clone)]
pub struct AdminAccount {
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for AdminAccount {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminAccount").field("email", &self.email).finish_non_exhaustive()
    }
}

impl AdminAccount {
    /// Both or neither; each problem names its setting.
    pub fn from_settings(email: Option<&str>, password: Option<&str>) -> anyhow::Result<Option<Self>> {
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        let password = password.filter(|p| !p.is_empty());
        match (email, password) {
            (None, None) => Ok(None),
            (Some(_), None) => bail!("SALLE_ADMIN_PASSWORD is needed with SALLE_ADMIN_EMAIL"),
            (None, Some(_)) => bail!("SALLE_ADMIN_EMAIL is needed with SALLE_ADMIN_PASSWORD"),
            (Some(email), Some(password)) => {
                crate::app::accounts::normalise_email(email)
                    .map_err(|e| anyhow::anyhow!("SALLE_ADMIN_EMAIL: {e}"))?;
                crate::app::accounts::check_password(password)
                    .map_err(|e| anyhow::anyhow!("SALLE_ADMIN_PASSWORD: {e}"))?;
                Ok(Some(Self { email: email.to_owned(), password: password.to_owned() }))
            }
        }
    }
}

/// Which payment provider, and where browsers reach salle.
#[derive(Clone)]
pub struct PaymentSettings {
    /// Where browsers reach salle (checkout return pages, the simulated provider).
    pub public_url: String,
    pub provider: Provider,
    /// How often transfers and reversals that could not be made are tried again.
    pub sweep_interval: Duration,
}

#[derive(Clone)]
pub enum Provider {
    /// No provider: online payment is refused, free slots only (neither a
    /// Stripe key nor `SALLE_PAYMENTS=simulated`).
    Off,
    /// Asked for (`SALLE_PAYMENTS=simulated`, or `--demo`): salle simulates
    /// the provider; its events are signed with `webhook_secret`.
    Simulated {
        webhook_secret: String,
    },
    Stripe {
        secret_key: String,
        webhook_secrets: Vec<String>,
        api_base: Option<String>,
    },
}

impl std::fmt::Debug for PaymentSettings {
    /// Names the provider, never a key or a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let provider = match self.provider {
            Provider::Off => "off",
            Provider::Simulated { .. } => "simulated",
            Provider::Stripe { .. } => "stripe",
        };
        f.debug_struct("PaymentSettings")
            .field("public_url", &self.public_url)
            .field("provider", &provider)
            .finish()
    }
}

impl PaymentSettings {
    /// The simulated provider with a fresh local secret.
    pub fn simulated(public_url: &str) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            provider: Provider::Simulated {
                webhook_secret: format!("whsec_sim_{:032x}", rand::random::<u128>()),
            },
            sweep_interval: Duration::from_secs(600),
        }
    }

    /// No provider: paid slots are refused.
    pub fn off(public_url: &str) -> Self {
        Self { provider: Provider::Off, ..Self::simulated(public_url) }
    }

    /// `SALLE_PAYMENTS` (`stripe`, `simulated` or `off`; unset: Stripe when a
    /// key is given, otherwise off) with Stripe's settings; each error names
    /// its setting. The simulated provider is never chosen by default: its
    /// pages would let anyone pay or onboard for real establishments.
    pub fn new(
        public_url: &str,
        mode: Option<&str>,
        stripe_secret_key: Option<&str>,
        stripe_webhook_secrets: Option<&str>,
        stripe_api_base: Option<&str>,
    ) -> anyhow::Result<Self> {
        let public_url = public_url.trim().trim_end_matches('/');
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("SALLE_PUBLIC_URL « {public_url} » must start with http:// or https://");
        }
        let key = stripe_secret_key.map(str::trim).filter(|k| !k.is_empty());
        let mut settings = Self::simulated(public_url);
        let key = match (mode.map(str::trim).filter(|m| !m.is_empty()), key) {
            (Some("simulated"), None) => return Ok(settings),
            (Some("simulated"), Some(_)) => {
                bail!("SALLE_PAYMENTS=simulated with STRIPE_SECRET_KEY set: unset one of them")
            }
            (Some("off"), _) | (None, None) => return Ok(Self::off(public_url)),
            (Some("stripe"), None) => bail!("SALLE_PAYMENTS=stripe needs STRIPE_SECRET_KEY"),
            (Some("stripe") | None, Some(key)) => key,
            (Some(other), _) => bail!("SALLE_PAYMENTS « {other} » is not stripe, simulated or off"),
        };
        if !(key.starts_with("sk_") || key.starts_with("rk_")) {
            bail!("STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_… or rk_…)");
        }
        let webhook_secrets: Vec<String> = stripe_webhook_secrets
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if webhook_secrets.is_empty() || webhook_secrets.iter().any(|s| !s.starts_with("whsec_")) {
            bail!(
                "STRIPE_WEBHOOK_SECRETS must list the endpoint's signing secrets (whsec_…), comma-separated"
            );
        }
        settings.provider = Provider::Stripe {
            secret_key: key.to_owned(),
            webhook_secrets,
            api_base: stripe_api_base.map(str::trim).filter(|b| !b.is_empty()).map(str::to_owned),
        };
        Ok(settings)
    }

    /// The configured provider. The simulated one keeps its records in `store`.
    pub async fn gateway(&self, store: &salle_events::Store) -> anyhow::Result<crate::payments::Gateway> {
        use crate::payments::{Gateway, SimulatedGateway, StripeGateway};
        Ok(match &self.provider {
            Provider::Off => Gateway::Off,
            Provider::Simulated { webhook_secret } => Gateway::Simulated(
                SimulatedGateway::new(&self.public_url, webhook_secret)
                    .with_store(store.clone())
                    .await
                    .context("reading the simulated provider's records")?,
            ),
            Provider::Stripe { secret_key, webhook_secrets, api_base } => Gateway::Stripe(Box::new(
                StripeGateway::new(secret_key, webhook_secrets.clone(), api_base.as_deref())
                    .context("STRIPE_SECRET_KEY / STRIPE_API_BASE")?,
            )),
        })
    }
}

/// Every problem of a configuration, so that one start reports them all,
/// one line each, rather than the first only.
#[derive(Debug, Default)]
pub struct Problems(Vec<String>);

/// A configuration with problems: one line each.
#[derive(Debug)]
pub struct Invalid(pub Vec<String>);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_slice() {
            [one] => write!(f, "invalid configuration: {one}"),
            all => write!(f, "invalid configuration ({} problems):\n  - {}", all.len(), all.join("\n  - ")),
        }
    }
}

impl std::error::Error for Invalid {}

impl Problems {
    /// Keeps the value, or the problem (each of them, when it is itself a
    /// list of problems).
    pub fn check<T>(&mut self, result: anyhow::Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                match e.downcast_ref::<Invalid>() {
                    Some(Invalid(lines)) => self.0.extend(lines.iter().cloned()),
                    None => self.0.push(format!("{e:#}")),
                }
                None
            }
        }
    }

    /// Ok when there was none; otherwise one error listing each.
    pub fn finish(self) -> anyhow::Result<()> {
        if self.0.is_empty() { Ok(()) } else { Err(Invalid(self.0).into()) }
    }
}

/// `SALLE_SIREN`, checked (Luhn key); none when empty.
/// `SALLE_SOURCE_URL`: an http(s) address, or unset.
pub fn parse_source_url(url: Option<&str>) -> anyhow::Result<Option<String>> {
    match url.map(str::trim).filter(|u| !u.is_empty()) {
        None => Ok(None),
        Some(u)
            if (u.starts_with("https://") || u.starts_with("http://"))
                && !u.contains(char::is_whitespace) =>
        {
            Ok(Some(u.to_owned()))
        }
        Some(u) => anyhow::bail!("SALLE_SOURCE_URL « {u} » is not an http(s) address"),
    }
}

pub fn parse_siren(siren: Option<&str>) -> anyhow::Result<Option<String>> {
    Ok(match siren.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            crate::domain::identifiers::Siren::parse(s)
                .map_err(|e| anyhow::anyhow!("SALLE_SIREN « {s} »: {e}"))?
                .as_str()
                .to_owned(),
        ),
    })
}

/// `SALLE_TRUSTED_PROXIES`: comma-separated addresses (`10.0.0.7`) or
/// networks (`10.42.0.0/16`, `fd00::/8`); none when empty.
pub fn parse_trusted_proxies(value: Option<&str>) -> anyhow::Result<Vec<ipnet::IpNet>> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<ipnet::IpNet>()
                .or_else(|_| v.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!(
                        "SALLE_TRUSTED_PROXIES « {v} » is not an address or a network such as 10.42.0.0/16"
                    )
                })
        })
        .collect()
}

/// `SALLE_METRICS_BIND`, when set.
pub fn parse_metrics_bind(value: Option<&str>) -> anyhow::Result<Option<SocketAddr>> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<SocketAddr>()
                .with_context(|| format!("SALLE_METRICS_BIND « {v} » is not an address such as 0.0.0.0:9090"))
        })
        .transpose()
}

impl Settings {
    /// Validates raw values into settings, naming each setting that is wrong.
    pub fn new(database_url: &str, bind: &str, max_connections: u32) -> anyhow::Result<Self> {
        let mut problems = Problems::default();
        let database_url = database_url.trim().to_owned();
        problems.check(backend_of(&database_url).map_err(anyhow::Error::from));
        let parsed = problems.check(
            bind.parse::<SocketAddr>()
                .with_context(|| format!("SALLE_BIND « {bind} » is not an address such as 127.0.0.1:8080")),
        );
        if !(1..=1000).contains(&max_connections) {
            problems.check::<()>(Err(anyhow::anyhow!(
                "SALLE_MAX_CONNECTIONS must be between 1 and 1000 (got {max_connections})"
            )));
        }
        problems.finish()?;
        let Some(bind) = parsed else { bail!("SALLE_BIND « {bind} » is not an address") };
        Ok(Self {
            database_url,
            bind,
            max_connections,
            acquire_timeout: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(30),
            http_workers: 0,
            expiry_interval: Duration::from_secs(30),
            run_workers: true,
            demo: false,
            print_demo_accounts: true,
            payments: PaymentSettings::off(&format!("http://{bind}")),
            admin: None,
            siren: None,
            source_url: None,
            trusted_proxies: Vec::new(),
            metrics_bind: None,
            sign_ups_per_hour: 10,
            unverified_hold_limit: crate::app::holds::DEFAULT_UNVERIFIED_HOLD_LIMIT,
            // The command line sets its own (data/mail by default); a library
            // user that sets nothing writes nowhere it would be found by mistake.
            mail: crate::mail::MailSettings::folder(std::env::temp_dir().join("salle-mail")),
        })
    }

    /// Sets `SALLE_SIREN` after checking its Luhn key.
    pub fn with_siren(mut self, siren: Option<&str>) -> anyhow::Result<Self> {
        self.siren = parse_siren(siren)?;
        Ok(self)
    }

    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            max_connections: self.max_connections,
            acquire_timeout: self.acquire_timeout,
            ..StoreOptions::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let parsed = parse_trusted_proxies(Some(" 10.42.0.0/16, 192.0.2.7 ,fd00::/8")).unwrap();
        assert_eq!(parsed.len(), 3);
        assert!(parsed[1].contains(&"192.0.2.7".parse::<std::net::IpAddr>().unwrap()));
        assert!(parse_trusted_proxies(None).unwrap().is_empty());
        let bad = parse_trusted_proxies(Some("10.0.0.0/33")).unwrap_err();
        assert!(format!("{bad:#}").contains("SALLE_TRUSTED_PROXIES"), "{bad:#}");
    }

    #[test]
    fn defaults_are_valid() {
        let s = Settings::new(DEFAULT_DATABASE_URL, DEFAULT_BIND, 16).unwrap();
        assert_eq!(s.bind.port(), 8080);
    }

    #[test]
    fn each_bad_value_names_its_setting() {
        let url = Settings::new("mysql://x", DEFAULT_BIND, 16).unwrap_err();
        assert!(format!("{url:#}").contains("SALLE_DATABASE_URL"), "{url:#}");
        let bind = Settings::new(DEFAULT_DATABASE_URL, "localhost", 16).unwrap_err();
        assert!(format!("{bind:#}").contains("SALLE_BIND"), "{bind:#}");
        let pool = Settings::new(DEFAULT_DATABASE_URL, DEFAULT_BIND, 0).unwrap_err();
        assert!(format!("{pool:#}").contains("SALLE_MAX_CONNECTIONS"), "{pool:#}");
        let url = PaymentSettings::new("salle.example", None, None, None, None).unwrap_err();
        assert!(format!("{url:#}").contains("SALLE_PUBLIC_URL"), "{url:#}");
        let key =
            PaymentSettings::new("https://salle.example", None, Some("pk_live_x"), None, None).unwrap_err();
        assert!(format!("{key:#}").contains("STRIPE_SECRET_KEY"), "{key:#}");
        let hooks =
            PaymentSettings::new("https://salle.example", None, Some("sk_test_x"), None, None).unwrap_err();
        assert!(format!("{hooks:#}").contains("STRIPE_WEBHOOK_SECRETS"), "{hooks:#}");
    }

    #[test]
    fn every_problem_is_reported_on_its_own_line() {
        let all = Settings::new("mysql://x", "localhost", 0).unwrap_err().to_string();
        let lines: Vec<&str> = all.lines().collect();
        assert_eq!(lines.len(), 4, "{all}");
        assert!(lines[0].contains("3 problems"), "{all}");
        assert!(lines[1].contains("SALLE_DATABASE_URL"), "{all}");
        assert!(lines[2].contains("SALLE_BIND"), "{all}");
        assert!(lines[3].contains("SALLE_MAX_CONNECTIONS"), "{all}");
    }

    #[test]
    fn without_a_stripe_key_payments_are_off_unless_simulated_is_asked_for() {
        let s = PaymentSettings::new("https://salle.example/", None, None, None, None).unwrap();
        assert!(matches!(s.provider, Provider::Off), "never simulated by default");
        assert_eq!(s.public_url, "https://salle.example");
        let s = PaymentSettings::new("https://salle.example/", Some("simulated"), None, None, None).unwrap();
        assert!(matches!(s.provider, Provider::Simulated { .. }));
        let both = PaymentSettings::new("https://x.fr", Some("simulated"), Some("sk_test_x"), None, None);
        assert!(format!("{:#}", both.unwrap_err()).contains("SALLE_PAYMENTS"));
        let missing = PaymentSettings::new("https://x.fr", Some("stripe"), None, None, None);
        assert!(format!("{:#}", missing.unwrap_err()).contains("STRIPE_SECRET_KEY"));
        let unknown = PaymentSettings::new("https://x.fr", Some("cash"), None, None, None);
        assert!(format!("{:#}", unknown.unwrap_err()).contains("SALLE_PAYMENTS"));
    }

    #[test]
    fn stripe_settings_keep_their_secrets_out_of_debug() {
        let stripe = PaymentSettings::new(
            "https://x.fr",
            None,
            Some("sk_test_secret"),
            Some("whsec_a, whsec_b"),
            None,
        )
        .unwrap();
        let Provider::Stripe { webhook_secrets, .. } = &stripe.provider else { panic!("stripe expected") };
        assert_eq!(webhook_secrets, &["whsec_a".to_owned(), "whsec_b".to_owned()]);
        let shown = format!("{stripe:?}");
        assert!(!shown.contains("sk_test") && !shown.contains("whsec"), "{shown}");
    }
}
