//! Where a request comes from: the peer's address, or — only when the peer
//! is one of the configured trusted proxies (`SALLE_TRUSTED_PROXIES`) — the
//! nearest address of `X-Forwarded-For` that is not itself a trusted proxy.
//! Anyone else's `X-Forwarded-For` or `Forwarded` is ignored: believing it
//! would let a client pick the address its limits are counted under.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use ipnet::IpNet;

use crate::http::error::AppError;

/// Peers whose `X-Forwarded-For` is believed (`SALLE_TRUSTED_PROXIES`), as app data.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub std::sync::Arc<[IpNet]>);

/// The client's address, as far as salle can trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The client behind `peer` given the `X-Forwarded-For` values of the request.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Proxies append: the rightmost entries were written by our own proxies,
    // the first untrusted one from the right is the client they saw.
    let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).map(str::trim).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => client = ip,
            Ok(ip) => return ip,
            Err(_) => return client,
        }
    }
    client
}

impl FromRequest for ClientAddress {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let peer = req.peer_addr().map_or(IpAddr::from([0, 0, 0, 0]), |a| a.ip());
        let trusted = req.app_data::<web::Data<TrustedProxies>>().map(|t| t.0.clone()).unwrap_or_default();
        let forwarded = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok());
        ready(Ok(Self(client_address(peer, forwarded, &trusted))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(client_address(ip("203.0.113.9"), ["1.2.3.4"].into_iter(), &proxies), ip("203.0.113.9"));
        assert_eq!(client_address(ip("10.1.2.3"), ["1.2.3.4"].into_iter(), &proxies), ip("1.2.3.4"));
        assert_eq!(
            client_address(ip("10.1.2.3"), ["6.6.6.6, 1.2.3.4, 10.9.9.9"].into_iter(), &proxies),
            ip("1.2.3.4"),
            "what the client wrote itself, left of what our proxies saw, is ignored"
        );
        assert_eq!(client_address(ip("10.1.2.3"), std::iter::empty(), &proxies), ip("10.1.2.3"));
        assert_eq!(client_address(ip("10.1.2.3"), ["garbage"].into_iter(), &proxies), ip("10.1.2.3"));
        assert_eq!(client_address(ip("127.0.0.1"), ["1.2.3.4"].into_iter(), &[]), ip("127.0.0.1"));
    }
}
