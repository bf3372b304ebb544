//! Signing in by e-mail and password, with limits that neither let an
//! attacker guess nor let one lock anyone else out.
//!
//! Each attempt is counted *before* its password is hashed, under one lock,
//! so parallel attempts cannot slip past the limit while hashes run. Two
//! sliding windows of 15 minutes: [`PER_PAIR`] failures per (account,
//! address) — past them that address backs off for that account only, and
//! the account's owner elsewhere still signs in — and [`PER_ADDRESS`]
//! failures per address whatever the account (an IPv6 address counts by its
//! /64, which one host usually holds whole). The table is bounded
//! ([`MAX_KEYS`]) and forgets what has expired. In memory: each process
//! limits its own share, which bounds guessing to replicas × limit. Written
//! here rather than taken from a crate: two counters with a window are all
//! it needs.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use salle_events::Store;

use super::accounts::{self, Account, AccountError};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const PER_PAIR: usize = 5;
pub const PER_ADDRESS: usize = 20;
/// At most this many (account, address) and address entries are kept.
pub const MAX_KEYS: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("Adresse e-mail ou mot de passe incorrect.")]
    Wrong,
    #[error("Trop d'essais de connexion : réessayez dans {} minute(s).", retry_after_secs.div_ceil(60))]
    RateLimited { retry_after_secs: u64 },
    /// The limit is reached with attempts of that pair or address still
    /// being judged: retried shortly (inside [`attempt`]), then told to wait.
    #[error("Des connexions sont en cours de vérification : réessayez dans quelques secondes.")]
    Undecided,
    #[error(transparent)]
    Account(#[from] AccountError),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, IpAddr),
    Address(IpAddr),
}

/// An IPv6 address by its /64; IPv4 (and IPv4-mapped IPv6) as it is.
fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

/// One attempt, counted as a failure until it is known to have succeeded.
#[derive(Debug)]
pub struct Attempt {
    pair: Key,
    address: Key,
    at: Instant,
}

#[derive(Debug, Default)]
pub struct SignInLimiter {
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    failures: HashMap<Key, VecDeque<Instant>>,
    /// How many of each key's counted attempts are still being judged.
    pending: HashMap<Key, usize>,
    /// When expired entries were last dropped (at most once a minute).
    swept: Option<Instant>,
}

impl Table {
    fn sweep_if_due(&mut self, now: Instant) {
        if self.swept.is_none_or(|t| now.duration_since(t) >= Duration::from_secs(60)) {
            self.failures.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
            self.swept = Some(now);
        }
    }
}

impl SignInLimiter {
    /// Counts an attempt now, or refuses it with how long to wait.
    pub fn begin(&self, email: &str, address: IpAddr, now: Instant) -> Result<Attempt, SignInError> {
        let network = network_of(address);
        let pair = Key::Pair(email.trim().to_lowercase(), network);
        let address = Key::Address(network);
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        table.sweep_if_due(now);
        let Table { failures, pending, .. } = &mut *table;
        let mut wait = Duration::ZERO;
        for (key, limit) in [(&pair, PER_PAIR), (&address, PER_ADDRESS)] {
            if let Some(times) = failures.get_mut(key) {
                expire(times, now, WINDOW);
                if times.len() >= limit {
                    if pending.get(key).is_some_and(|n| *n > 0) {
                        return Err(SignInError::Undecided);
                    }
                    if let Some(oldest) = times.front() {
                        wait = wait.max(WINDOW.saturating_sub(now.duration_since(*oldest)));
                    }
                }
            }
        }
        if !wait.is_zero() {
            return Err(SignInError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
        }
        for key in [&pair, &address] {
            if !failures.contains_key(key) && failures.len() >= MAX_KEYS {
                make_room(failures, now, WINDOW);
            }
            failures.entry(key.clone()).or_default().push_back(now);
            *pending.entry(key.clone()).or_default() += 1;
        }
        Ok(Attempt { pair, address, at: now })
    }

    /// The password was wrong: the attempt stays counted.
    pub fn failed(&self, attempt: Attempt) {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        decided(&mut table.pending, &attempt);
    }

    /// The password was right: that pair starts afresh, and the attempt is
    /// not a failure of the address.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        decided(&mut table.pending, &attempt);
        let failures = &mut table.failures;
        failures.remove(&attempt.pair);
        uncount(failures, &attempt.address, attempt.at);
    }

    /// The attempt could not be judged (the server was busy): not a failure.
    pub fn forget(&self, attempt: Attempt) {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        decided(&mut table.pending, &attempt);
        let failures = &mut table.failures;
        uncount(failures, &attempt.pair, attempt.at);
        uncount(failures, &attempt.address, attempt.at);
    }

    /// How many entries the table holds.
    pub fn len(&self) -> usize {
        self.table.lock().unwrap_or_else(|p| p.into_inner()).failures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn decided(pending: &mut HashMap<Key, usize>, attempt: &Attempt) {
    for key in [&attempt.pair, &attempt.address] {
        if let Some(n) = pending.get_mut(key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                pending.remove(key);
            }
        }
    }
}

fn uncount(failures: &mut HashMap<Key, VecDeque<Instant>>, key: &Key, at: Instant) {
    if let Some(times) = failures.get_mut(key) {
        if let Some(i) = times.iter().position(|t| *t == at) {
            times.remove(i);
        }
        if times.is_empty() {
            failures.remove(key);
        }
    }
}

/// Drops what has expired; if the table is still full, the eighth of its
/// entries whose last failure is oldest (an eighth at a time, so that a full
/// table costs one scan per many insertions, not one per insertion).
fn make_room<K: Clone + Eq + std::hash::Hash>(
    table: &mut HashMap<K, VecDeque<Instant>>,
    now: Instant,
    window: Duration,
) {
    table.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < window));
    if table.len() < MAX_KEYS {
        return;
    }
    let mut by_age: Vec<(Instant, K)> =
        table.iter().filter_map(|(key, times)| times.back().map(|t| (*t, key.clone()))).collect();
    let evict = (MAX_KEYS / 8).max(1).min(by_age.len());
    by_age.select_nth_unstable_by_key(evict - 1, |(t, _)| *t);
    for (_, key) in by_age.into_iter().take(evict) {
        table.remove(&key);
    }
}

/// Forgets the times that have left the window.
fn expire(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times.front().is_some_and(|t| now.duration_since(*t) >= window) {
        times.pop_front();
    }
}

/// Checks an e-mail and password from `address` against the limits and the
/// accounts.
pub async fn attempt(
    store: &Store,
    limiter: &SignInLimiter,
    email: &str,
    password: &str,
    address: IpAddr,
) -> Result<Account, SignInError> {
    let asked = Instant::now();
    let attempt = loop {
        match limiter.begin(email, address, Instant::now()) {
            Err(SignInError::Undecided) if asked.elapsed() < super::passwords::WAIT => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            other => break other?,
        }
    };
    match accounts::authenticate(store, email, password).await {
        Ok(Some(account)) => {
            limiter.succeeded(attempt);
            Ok(account)
        }
        Ok(None) => {
            limiter.failed(attempt);
            Err(SignInError::Wrong)
        }
        Err(e) => {
            limiter.forget(attempt);
            Err(e.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const ELSEWHERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7));

    fn fail(limiter: &SignInLimiter, email: &str, address: IpAddr, now: Instant) -> Result<(), SignInError> {
        limiter.begin(email, address, now).map(|attempt| limiter.failed(attempt))
    }

    #[test]
    fn an_attempt_is_counted_before_the_password_is_checked() {
        let limiter = SignInLimiter::default();
        let now = Instant::now();
        let pending: Vec<_> = (0..PER_PAIR).map(|_| limiter.begin("anne@a.fr", HOME, now).unwrap()).collect();
        assert!(
            matches!(limiter.begin("anne@a.fr", HOME, now), Err(SignInError::Undecided)),
            "a sixth waits while five are judged"
        );
        for attempt in pending {
            limiter.failed(attempt);
        }
        assert!(matches!(limiter.begin("anne@a.fr", HOME, now), Err(SignInError::RateLimited { .. })));
    }

    #[test]
    fn parallel_right_passwords_are_not_refused_for_being_parallel() {
        let limiter = SignInLimiter::default();
        let now = Instant::now();
        let pending: Vec<_> = (0..PER_PAIR).map(|_| limiter.begin("anne@a.fr", HOME, now).unwrap()).collect();
        for attempt in pending {
            limiter.succeeded(attempt);
        }
        assert!(limiter.begin("anne@a.fr", HOME, now).is_ok());
    }

    #[test]
    fn failures_from_one_address_do_not_lock_the_account_elsewhere() {
        let limiter = SignInLimiter::default();
        let now = Instant::now();
        for _ in 0..PER_PAIR {
            fail(&limiter, "anne@a.fr", ELSEWHERE, now).unwrap();
        }
        let Err(SignInError::RateLimited { retry_after_secs }) = limiter.begin("Anne@A.fr", ELSEWHERE, now)
        else {
            panic!("the guessing address backs off");
        };
        assert_eq!(retry_after_secs, WINDOW.as_secs());
        let owner = limiter.begin("anne@a.fr", HOME, now).unwrap();
        limiter.succeeded(owner);
        let later = now + WINDOW;
        assert!(limiter.begin("anne@a.fr", ELSEWHERE, later).is_ok(), "the window slides");
    }

    #[test]
    fn an_address_is_limited_whatever_the_accounts_it_tries() {
        let limiter = SignInLimiter::default();
        let now = Instant::now();
        for i in 0..PER_ADDRESS {
            fail(&limiter, &format!("u{i}@a.fr"), HOME, now).unwrap();
        }
        assert!(matches!(limiter.begin("new@a.fr", HOME, now), Err(SignInError::RateLimited { .. })));
        let v6 = |last: u16| IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0, 0, 0, last));
        for i in 0..PER_ADDRESS {
            fail(&limiter, &format!("u{i}@a.fr"), v6(i as u16), now).unwrap();
        }
        assert!(
            matches!(limiter.begin("new@a.fr", v6(999), now), Err(SignInError::RateLimited { .. })),
            "one /64 is one address"
        );
    }

    #[test]
    fn the_table_is_bounded_and_forgets_what_expired() {
        let limiter = SignInLimiter::default();
        let start = Instant::now();
        for i in 0..(MAX_KEYS as u32) {
            let address = IpAddr::V4(std::net::Ipv4Addr::from(0x0A00_0000 + i));
            fail(&limiter, "x@a.fr", address, start).unwrap();
        }
        assert!(limiter.len() <= MAX_KEYS, "{}", limiter.len());
        let later = start + WINDOW + Duration::from_secs(1);
        fail(&limiter, "y@a.fr", HOME, later).unwrap();
        assert_eq!(limiter.len(), 2, "expired entries are dropped");
    }
}

/// Sign-ups per address (an IPv6 address by its /64) in a sliding hour: each
/// attempt counts, accepted or refused, so that one address cannot fill the
/// registry with invented associations. Bounded like the sign-in table.
#[derive(Debug)]
pub struct SignUpLimiter {
    per_hour: usize,
    table: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

pub const SIGN_UP_WINDOW: Duration = Duration::from_secs(3600);

impl SignUpLimiter {
    /// `per_hour` sign-ups from one address (0: no limit).
    pub fn new(per_hour: usize) -> Self {
        Self { per_hour, table: Mutex::default() }
    }

    /// Counts a sign-up from `address` now, or says how many seconds to wait.
    pub fn attempt(&self, address: IpAddr, now: Instant) -> Result<(), u64> {
        if self.per_hour == 0 {
            return Ok(());
        }
        let network = network_of(address);
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        if !table.contains_key(&network) && table.len() >= MAX_KEYS {
            make_room(&mut table, now, SIGN_UP_WINDOW);
        }
        let times = table.entry(network).or_default();
        expire(times, now, SIGN_UP_WINDOW);
        if times.len() >= self.per_hour
            && let Some(oldest) = times.front()
        {
            let wait = SIGN_UP_WINDOW.saturating_sub(now.duration_since(*oldest));
            return Err(wait.as_secs().max(1));
        }
        times.push_back(now);
        Ok(())
    }
}

impl Default for SignUpLimiter {
    /// Ten sign-ups per address and hour.
    fn default() -> Self {
        Self::new(10)
    }
}

#[cfg(test)]
mod sign_up_tests {
    use super::*;

    #[test]
    fn an_address_signs_up_a_few_associations_an_hour() {
        let limiter = SignUpLimiter::new(3);
        let home = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
        let now = Instant::now();
        for _ in 0..3 {
            limiter.attempt(home, now).unwrap();
        }
        assert_eq!(limiter.attempt(home, now), Err(3600), "the fourth sign-up of the hour is refused");
        assert!(limiter.attempt(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2)), now).is_ok());
        assert!(limiter.attempt(home, now + SIGN_UP_WINDOW).is_ok(), "the window slides");
        assert!(SignUpLimiter::new(0).attempt(home, now).is_ok(), "0: no limit");
    }
}
