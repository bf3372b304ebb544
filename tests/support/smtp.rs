//! A real SMTP server for the tests: `tests/tools/smtp_sink.py` (aiosmtpd),
//! started on a free port, writing what it accepts to a folder.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use super::mail::Received;

pub struct SmtpSink {
    pub port: u16,
    /// Where each accepted message is written.
    pub dir: PathBuf,
    /// The test authority's certificate (with `--tls`).
    pub certs: PathBuf,
    child: Option<Child>,
}

impl SmtpSink {
    /// Starts the server with `options` (see the script).
    pub fn start(options: &[&str]) -> Self {
        let root =
            std::env::temp_dir().join("salle-test-smtp").join(uuid::Uuid::now_v7().simple().to_string());
        let mut sink = Self {
            port: super::binary::free_port(),
            dir: root.join("received"),
            certs: root.join("certs"),
            child: None,
        };
        sink.spawn(options);
        sink
    }

    fn spawn(&mut self, options: &[&str]) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/smtp_sink.py");
        let mut args = vec![
            script.to_owned(),
            "--port".into(),
            self.port.to_string(),
            "--dir".into(),
            self.dir.display().to_string(),
        ];
        for o in options {
            args.push(o.replace("{certs}", &self.certs.display().to_string()));
        }
        let mut child = Command::new("python3")
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs tests/tools/smtp_sink.py (aiosmtpd: ./scripts/test installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start (is aiosmtpd installed?)");
        self.child = Some(child);
    }

    /// The URL salle sends to (`smtp://…?tls=required` with TLS).
    pub fn url(&self, credentials: Option<&str>, tls: bool) -> String {
        let who = credentials.map(|c| format!("{c}@")).unwrap_or_default();
        let tls = if tls { "?tls=required" } else { "" };
        format!("smtp://{who}127.0.0.1:{}{tls}", self.port)
    }

    pub fn ca_file(&self) -> String {
        self.certs.join("ca.pem").display().to_string()
    }

    /// Kills the server at once.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the server process has ended (by itself, with `--die-after`).
    pub fn exited(&mut self) -> bool {
        match self.child.as_mut() {
            None => true,
            Some(child) => child.try_wait().ok().flatten().is_some(),
        }
    }

    /// A server again on the same port and folder.
    pub fn restart(&mut self, options: &[&str]) {
        self.kill();
        self.spawn(options);
    }

    pub fn received(&self) -> Vec<Received> {
        super::mail::all(&self.dir)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.kill();
    }
}
