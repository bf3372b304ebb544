//! Passwords: the length rule, Argon2id hashing and verification, and the
//! bound on how many hashes run at once.
//!
//! One Argon2id computation holds 19 MiB (RustCrypto `argon2`, its default
//! parameters: 19 MiB, 2 passes) on a blocking thread for tens of
//! milliseconds. Unbounded, a burst of sign-ins multiplies that by the burst
//! (100 parallel attempts took a process from 1.3 to 3.2 GB). So every hash
//! and every verification of the process waits for one of as many permits as
//! the machine has cores, at most [`WAIT`], and runs on one of as many
//! threads of its own; past that the caller is told to come back ([`Busy`]),
//! and no memory was taken. The permits and threads are one process-wide
//! value, like the cores they stand for.

use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::domain::DomainError;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 200;
/// How long a sign-in waits for a hashing permit before it is told to retry.
pub const WAIT: Duration = Duration::from_secs(2);
/// What `Retry-After` says when no permit came in time.
pub const RETRY_AFTER_SECS: u64 = 2;

/// Every permit stayed taken for [`WAIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server is busy hashing passwords: retry in {RETRY_AFTER_SECS} s")]
pub struct Busy;

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(concurrency()))
}

/// How many hashes may run at once in this process (the cores).
pub fn concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

type Job = Box<dyn FnOnce() + Send>;

/// The threads hashes run on: as many as the permits, started once. Not
/// tokio's blocking pool: its threads come and go, and each new one that
/// hashes gets its own allocator arena, which keeps the 19 MiB after the
/// hash is done (100 sign-ins grew the peak by 388 MiB that way).
fn pool() -> Option<&'static std::sync::mpsc::Sender<Job>> {
    static POOL: OnceLock<Option<std::sync::mpsc::Sender<Job>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for i in 0..concurrency() {
            let queue = queue.clone();
            let started = std::thread::Builder::new().name(format!("salle-argon2-{i}")).spawn(move || {
                loop {
                    let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
            if started.is_err() {
                return None;
            }
        }
        Some(jobs)
    })
    .as_ref()
}

/// Runs `work` on the hashing threads once a permit is free.
async fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
    let permit =
        tokio::time::timeout(WAIT, permits().acquire()).await.map_err(|_| Busy)?.map_err(|_| Busy)?;
    let (done, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        // A panic ends this job only; the thread goes on, the caller hears Busy.
        if let Ok(value) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
            let _ = done.send(value);
        }
    });
    pool().ok_or(Busy)?.send(job).map_err(|_| Busy)?;
    let value = answer.await.map_err(|_| Busy);
    drop(permit);
    value
}

pub fn check(password: &str) -> Result<(), DomainError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(DomainError::rule(
            "weak_password",
            format!(
                "Le mot de passe doit compter au moins {MIN_PASSWORD_CHARS} caractères ({chars} donnés)."
            ),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(DomainError::rule(
            "weak_password",
            format!("Le mot de passe dépasse {MAX_PASSWORD_CHARS} caractères."),
        ));
    }
    Ok(())
}

fn hash_now(password: &str) -> Option<String> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).ok()
}

fn verify_now(password: &str, stored: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    PasswordHash::new(stored)
        .is_ok_and(|hash| argon2::Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// The Argon2id hash of a password that passed [`check`]; `None` when the
/// hasher refuses it.
pub async fn hash(password: &str) -> Result<Option<String>, Busy> {
    let password = password.to_owned();
    bounded(move || hash_now(&password)).await
}

/// Whether `password` matches `stored`. Without a stored hash (no such
/// account) a decoy is verified, so an unknown e-mail costs the same time.
pub async fn verify(password: &str, stored: Option<String>) -> Result<bool, Busy> {
    let password = password.to_owned();
    let known = stored.is_some();
    bounded(move || {
        let stored = stored.unwrap_or_else(|| decoy().to_owned());
        verify_now(&password, &stored) && known
    })
    .await
}

fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_now("salle-decoy-password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_refused_with_the_rule() {
        let e = check("court").unwrap_err();
        assert!(e.message.contains("12 caractères"), "{}", e.message);
        assert!(check("une phrase de passe").is_ok());
        assert!(check(&"x".repeat(201)).is_err());
    }

    #[tokio::test]
    async fn a_password_verifies_against_its_argon2id_hash_only() {
        let hash = hash("une phrase de passe").await.unwrap().unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("une phrase de passe", Some(hash.clone())).await.unwrap());
        assert!(!verify("une autre phrase", Some(hash)).await.unwrap());
        assert!(!verify("salle-decoy-password", None).await.unwrap(), "the decoy never signs anyone in");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_hashes_run_at_once_than_there_are_cores() {
        let running = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let tasks: Vec<_> = (0..4 * concurrency())
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::spawn(bounded(move || {
                    use std::sync::atomic::Ordering::SeqCst;
                    let now = running.fetch_add(1, SeqCst) + 1;
                    most.fetch_max(now, SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    running.fetch_sub(1, SeqCst);
                }))
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let most = most.load(std::sync::atomic::Ordering::SeqCst);
        assert!(most >= 1 && most <= concurrency(), "{most} at once for {} cores", concurrency());
    }
}
