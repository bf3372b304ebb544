//! What salle mailed, read back: the tests' SMTP server (`tests/tools/smtp_sink.py`,
//! aiosmtpd) and the folder transport both leave one RFC 5322 file per
//! message; these helpers find the messages to an address and the links
//! they carry, decoding the quoted-printable or base64 parts lettre writes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One message as received, with its text decoded.
#[derive(Debug, Clone)]
pub struct Received {
    pub raw: String,
    /// Every part's body, decoded, one after the other.
    pub decoded: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or_default();
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut().filter(|_| line.starts_with([' ', '\t'])) {
                v.push_str(line.trim_start());
                continue;
            }
            if value.is_some() {
                break;
            }
            if let Some((n, v)) = line.split_once(':')
                && n.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_owned());
            }
        }
        value
    }

    /// The subject, decoded from RFC 2047 when it was encoded.
    pub fn subject(&self) -> String {
        decode_words(&self.header("Subject").unwrap_or_default())
    }

    /// The first link to salle whose path starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let start = self.decoded.find(prefix)?;
        let begin = self.decoded[..start].rfind("http")?;
        let end = self.decoded[start..]
            .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .map_or(self.decoded.len(), |e| start + e);
        Some(self.decoded[begin..end].to_owned())
    }

    /// The token at the end of the link whose path starts with `prefix`.
    pub fn token(&self, prefix: &str) -> Option<String> {
        self.link(prefix).map(|l| l.rsplit('/').next().unwrap_or_default().to_owned())
    }
}

pub fn parse(raw: String) -> Received {
    let mut decoded = String::new();
    // Each part: its headers, a blank line, its body (up to the next boundary).
    for chunk in raw.split("\r\n--") {
        let Some((head, body)) = chunk.split_once("\r\n\r\n") else { continue };
        let head = head.to_ascii_lowercase();
        let body = body.split("\r\n--").next().unwrap_or_default();
        if head.contains("content-transfer-encoding: quoted-printable") {
            decoded.push_str(&quoted_printable(body));
        } else if head.contains("content-transfer-encoding: base64") {
            decoded.push_str(&base64(body));
        } else {
            decoded.push_str(body);
        }
        decoded.push('\n');
    }
    Received { raw, decoded }
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64(body: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in body.bytes() {
        let Some(v) = ALPHABET.iter().position(|a| *a == c) else { continue };
        bits = (bits << 6) | v as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `=?utf-8?b?…?=` and `=?utf-8?q?…?=` words (the space between two encoded words is dropped, RFC 2047).
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut last_encoded = false;
    for word in value.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        let decoded = if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            Some(base64(&word[10..word.len() - 2]))
        } else if lower.starts_with("=?utf-8?q?") && word.ends_with("?=") {
            Some(quoted_printable(&word[10..word.len() - 2].replace('_', " ")))
        } else {
            None
        };
        let joined_to_last = last_encoded && decoded.is_some();
        if !out.is_empty() && !joined_to_last {
            out.push(' ');
        }
        last_encoded = decoded.is_some();
        out.push_str(&decoded.unwrap_or_else(|| word.to_owned()));
    }
    out
}

/// Every message in `dir`, oldest first.
pub fn all(dir: &Path) -> Vec<Received> {
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files.into_iter().filter_map(|(_, p)| std::fs::read_to_string(p).ok()).map(parse).collect()
}

/// The messages to `address` in `dir`, waiting (up to 10 s) until there are at least `count`.
pub async fn to(dir: &Path, address: &str, count: usize) -> Vec<Received> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found: Vec<Received> = all(dir)
            .into_iter()
            .filter(|m| {
                m.header("To").is_some_and(|t| t.to_ascii_lowercase().contains(&address.to_ascii_lowercase()))
            })
            .collect();
        if found.len() >= count || Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The last message to `address` whose subject contains `subject`.
pub async fn last_with(dir: &Path, address: &str, subject: &str) -> Received {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = to(dir, address, 0).await.into_iter().rev().find(|m| m.subject().contains(subject));
        if let Some(m) = found {
            return m;
        }
        assert!(
            Instant::now() < deadline,
            "no message to {address} about « {subject} » in {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
