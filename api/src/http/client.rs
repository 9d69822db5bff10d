//! Who the client is: the peer's address, or, when the peer is a trusted proxy
//! (`STINGER_TRUSTED_PROXIES`), the address its `X-Forwarded-For` names. Every per-client rule
//! (rate limits, the login throttle, WebSockets per address) asks this one function.

use crate::auth::ClientInfo;
use crate::config::TrustedProxies;
use actix_web::HttpRequest;
use std::net::IpAddr;

/// The client of `req`. `X-Forwarded-For` is read right to left (each proxy appends the
/// address it heard from), skipping trusted proxies; the first other address is the client.
/// From an untrusted peer the header is ignored: anyone can write it.
pub fn client_info(req: &HttpRequest, trusted: &TrustedProxies) -> ClientInfo {
    let peer = req.peer_addr().map(|a| a.ip());
    ClientInfo {
        ip: peer.map(|peer| forwarded_client(peer, req, trusted)),
    }
}

fn forwarded_client(peer: IpAddr, req: &HttpRequest, trusted: &TrustedProxies) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map_while(|hop| hop.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|hop| !trusted.contains(hop))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn trusted(list: &[&str]) -> TrustedProxies {
        TrustedProxies(list.iter().map(|n| n.parse().unwrap()).collect())
    }

    fn client(peer: &str, xff: Option<&str>, proxies: &TrustedProxies) -> Option<IpAddr> {
        let mut req = TestRequest::default().peer_addr(format!("{peer}:4000").parse().unwrap());
        if let Some(xff) = xff {
            req = req.insert_header(("x-forwarded-for", xff));
        }
        client_info(&req.to_http_request(), proxies).ip
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxies = trusted(&["127.0.0.1/32", "10.0.0.0/8"]);
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(
            client("198.51.100.9", Some("203.0.113.5"), &proxies),
            ip("198.51.100.9")
        );
        assert_eq!(
            client("127.0.0.1", Some("203.0.113.5"), &proxies),
            ip("203.0.113.5")
        );
        assert_eq!(
            client(
                "127.0.0.1",
                Some("6.6.6.6, 203.0.113.5, 10.1.2.3"),
                &proxies
            ),
            ip("203.0.113.5"),
            "the nearest untrusted hop, not what the client wrote first"
        );
        assert_eq!(client("127.0.0.1", None, &proxies), ip("127.0.0.1"));
        assert_eq!(
            client("127.0.0.1", Some("garbage"), &proxies),
            ip("127.0.0.1")
        );
        assert_eq!(
            client("127.0.0.1", Some("203.0.113.5"), &trusted(&[])),
            ip("127.0.0.1")
        );
    }
}
