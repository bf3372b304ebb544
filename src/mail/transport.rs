//! Where messages go: an SMTP server (lettre, on tokio with rustls), or —
//! without one — a folder with one `.eml` file per message, which a person
//! can open (the demo's, and a commune's before its SMTP is set).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::address::Envelope;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// How messages leave salle (`SALLE_SMTP_URL`, or `SALLE_MAIL_DIR`).
#[derive(Clone)]
pub enum Delivery {
    /// `smtp://[user:password@]host[:port][?tls=required|opportunistic]`
    /// (STARTTLS; `required` refuses a server without it) or `smtps://…`
    /// (TLS from the first byte); `ca_file` adds a certificate authority
    /// (PEM) to the web's, for a server with a private certificate.
    Smtp {
        url: String,
        ca_file: Option<PathBuf>,
    },
    Folder(PathBuf),
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The URL may carry the SMTP password.
            Self::Smtp { url, .. } => write!(f, "Smtp({})", salle_events::store::redact_url(url)),
            Self::Folder(dir) => write!(f, "Folder({})", dir.display()),
        }
    }
}

impl Delivery {
    /// Where messages go, in words for the start-up log (no password).
    pub fn describe(&self) -> String {
        match self {
            Self::Smtp { url, .. } => salle_events::store::redact_url(url),
            Self::Folder(dir) => format!("the folder {}", dir.display()),
        }
    }
}

/// Why a message was not sent.
#[derive(Debug)]
pub enum SendError {
    /// Worth trying again later (the server is unreachable, answered 4xx).
    Temporary { code: String, detail: String },
    /// The server refused it for good (5xx): the address does not exist…
    Permanent { code: String, detail: String },
}

#[derive(Clone)]
pub enum Transport {
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
    Folder(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Transport::Smtp"),
            Self::Folder(dir) => write!(f, "Transport::Folder({})", dir.display()),
        }
    }
}

impl Transport {
    pub fn new(delivery: &Delivery) -> anyhow::Result<Self> {
        match delivery {
            Delivery::Folder(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating SALLE_MAIL_DIR {}", dir.display()))?;
                Ok(Self::Folder(dir.clone()))
            }
            Delivery::Smtp { url, ca_file } => {
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| {
                    anyhow::anyhow!(
                        "SALLE_SMTP_URL « {} » is not an SMTP address such as \
                         smtp://user:password@mail.example.fr:587?tls=required: {e}",
                        salle_events::store::redact_url(url)
                    )
                })?;
                if let Some(ca_file) = ca_file {
                    let pem = std::fs::read(ca_file)
                        .with_context(|| format!("reading SALLE_SMTP_CA_FILE {}", ca_file.display()))?;
                    let certificate = Certificate::from_pem(&pem).with_context(|| {
                        format!("SALLE_SMTP_CA_FILE {} is not a PEM certificate", ca_file.display())
                    })?;
                    let host = host_of(url).context("SALLE_SMTP_URL names no host")?;
                    let parameters = TlsParameters::builder(host)
                        .add_root_certificate(certificate)
                        .build_rustls()
                        .context("the TLS settings of SALLE_SMTP_URL")?;
                    builder = builder.tls(match tls_mode(url) {
                        TlsMode::Wrapper => Tls::Wrapper(parameters),
                        TlsMode::Required => Tls::Required(parameters),
                        TlsMode::Opportunistic => Tls::Opportunistic(parameters),
                        TlsMode::None => Tls::None,
                    });
                }
                Ok(Self::Smtp(Box::new(builder.timeout(Some(Duration::from_secs(30))).build())))
            }
        }
    }

    /// Sends one message (`key` names its file in a folder).
    pub async fn send(&self, key: &str, from: &str, to: &str, message: &str) -> Result<(), SendError> {
        match self {
            Self::Folder(dir) => write_file(dir, key, message).await.map_err(|e| SendError::Temporary {
                code: "folder".into(),
                detail: format!("writing into {}: {e}", dir.display()),
            }),
            Self::Smtp(smtp) => {
                let envelope = envelope(from, to)?;
                match smtp.send_raw(&envelope, message.as_bytes()).await {
                    Ok(_) => Ok(()),
                    Err(e) => {
                        let code = e.status().map(|c| c.to_string()).unwrap_or_else(|| "connection".into());
                        let detail = e.to_string();
                        if e.is_permanent() {
                            Err(SendError::Permanent { code, detail })
                        } else {
                            Err(SendError::Temporary { code, detail })
                        }
                    }
                }
            }
        }
    }
}

fn envelope(from: &str, to: &str) -> Result<Envelope, SendError> {
    let refused = |what: &str, e: String| SendError::Permanent {
        code: "address".into(),
        detail: format!("{what}: {e}"),
    };
    let from = from.parse().map_err(|e: lettre::address::AddressError| refused("sender", e.to_string()))?;
    let to = to.parse().map_err(|e: lettre::address::AddressError| refused("recipient", e.to_string()))?;
    Envelope::new(Some(from), vec![to]).map_err(|e| refused("envelope", e.to_string()))
}

enum TlsMode {
    Wrapper,
    Required,
    Opportunistic,
    None,
}

/// What lettre's `from_url` reads from the address, for rebuilding its TLS
/// with another certificate authority.
fn tls_mode(url: &str) -> TlsMode {
    if url.starts_with("smtps://") {
        return TlsMode::Wrapper;
    }
    match url.split_once('?').map(|(_, q)| q) {
        Some(q) if q.split('&').any(|p| p == "tls=required") => TlsMode::Required,
        Some(q) if q.split('&').any(|p| p == "tls=opportunistic") => TlsMode::Opportunistic,
        _ => TlsMode::None,
    }
}

/// The server's name in an `smtp://user:password@host:port?…` address.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    (!host.is_empty()).then(|| host.to_owned())
}

/// Writes `<key>.eml` whole or not at all (a temporary file, then renamed).
async fn write_file(dir: &std::path::Path, key: &str, message: &str) -> std::io::Result<()> {
    let name: String = key.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let target = dir.join(format!("{name}.eml"));
    let partial = dir.join(format!(".{name}.eml.partial"));
    tokio::fs::write(&partial, message.as_bytes()).await?;
    tokio::fs::rename(&partial, &target).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_and_the_tls_mode_are_read_from_the_address() {
        assert_eq!(
            host_of("smtp://u:p@mail.example.fr:587?tls=required").as_deref(),
            Some("mail.example.fr")
        );
        assert_eq!(host_of("smtps://mail.example.fr").as_deref(), Some("mail.example.fr"));
        assert!(matches!(tls_mode("smtp://h:587?tls=required"), TlsMode::Required));
        assert!(matches!(tls_mode("smtps://h"), TlsMode::Wrapper));
        assert!(matches!(tls_mode("smtp://h:25"), TlsMode::None));
    }

    #[test]
    fn the_password_stays_out_of_debug() {
        let d = Delivery::Smtp { url: "smtp://salle:secret@mail.example.fr:587".into(), ca_file: None };
        assert!(!format!("{d:?}").contains("secret"));
        assert!(!d.describe().contains("secret"));
    }
}
