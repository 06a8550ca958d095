//! Who is calling, as far as the network says: the client's address, read from
//! `X-Forwarded-For` or `Forwarded` only when the connection comes from a proxy in
//! `TRUSTED_PROXIES` (anyone else could write those headers), and the *source* limits key on:
//! an IPv4 address, or an IPv6 /64 (one home or phone network hands out a whole /64).

use std::net::IpAddr;

use actix_web::{http::header, HttpRequest};
use ipnet::IpNet;

/// Where a request comes from, as rate limits count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source(pub String);

impl Source {
    pub fn of(address: IpAddr) -> Source {
        match address {
            IpAddr::V4(v4) => Source(v4.to_string()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Source(v4.to_string()),
                None => {
                    let s = v6.segments();
                    Source(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
                }
            },
        }
    }
}

/// The client's address: the connection's peer, or — when the peer is a trusted proxy — the
/// nearest address in the forwarding chain that is not itself a trusted proxy.
pub fn client_address(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    client_behind(peer, forwarded_chain(req).as_deref(), trusted)
}

/// The request's source (see `Source`), if it has a peer at all.
pub fn source(req: &HttpRequest, trusted: &[IpNet]) -> Option<Source> {
    client_address(req, trusted).map(Source::of)
}

fn is_trusted(address: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&address))
}

/// Walks the chain (client first, nearest proxy last) from the nearest end while the hops are
/// trusted proxies. A hop that cannot be read stops the walk at the last trusted one.
fn client_behind(peer: IpAddr, chain: Option<&[String]>, trusted: &[IpNet]) -> Option<IpAddr> {
    if !is_trusted(peer, trusted) {
        return Some(peer);
    }
    let mut client = peer;
    for hop in chain.unwrap_or_default().iter().rev() {
        let Some(address) = parse_hop(hop) else {
            break;
        };
        client = address;
        if !is_trusted(address, trusted) {
            break;
        }
    }
    Some(client)
}

/// The forwarding chain: `Forwarded`'s `for=` values, else `X-Forwarded-For`'s, in order.
fn forwarded_chain(req: &HttpRequest) -> Option<Vec<String>> {
    let joined = |name: header::HeaderName| -> Option<String> {
        let values: Vec<&str> = req
            .headers()
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    if let Some(forwarded) = joined(header::FORWARDED) {
        let hops = forwarded
            .split(',')
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.trim().split_once('=')?;
                    name.eq_ignore_ascii_case("for")
                        .then(|| value.trim().trim_matches('"').to_string())
                })
            })
            .collect();
        return Some(hops);
    }
    joined(header::HeaderName::from_static("x-forwarded-for"))
        .map(|list| list.split(',').map(|hop| hop.trim().to_string()).collect())
}

/// One hop: `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(address) = hop.parse() {
        return Some(address);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    hop.rsplit_once(':')?.0.parse().ok()
}

/// `TRUSTED_PROXIES`: addresses or networks separated by commas.
pub fn parse_trusted(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{part:?} is not an address or a network such as 10.0.0.0/8"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let trusted = parse_trusted("10.0.0.0/8, ::1").unwrap();
        let chain = |hops: &[&str]| hops.iter().map(|h| h.to_string()).collect::<Vec<_>>();
        // A stranger's own header is ignored.
        assert_eq!(
            client_behind(ip("198.51.100.9"), Some(&chain(&["203.0.113.7"])), &trusted),
            Some(ip("198.51.100.9"))
        );
        // Through the proxy: the nearest untrusted hop, whatever the client wrote before it.
        assert_eq!(
            client_behind(
                ip("10.0.0.2"),
                Some(&chain(&["1.2.3.4", "203.0.113.7", "10.0.0.5"])),
                &trusted
            ),
            Some(ip("203.0.113.7"))
        );
        assert_eq!(
            client_behind(ip("::1"), Some(&chain(&["[2001:db8::1]:4711"])), &trusted),
            Some(ip("2001:db8::1"))
        );
        assert_eq!(
            client_behind(ip("10.0.0.2"), Some(&chain(&["garbage"])), &trusted),
            Some(ip("10.0.0.2"))
        );
        assert!(parse_trusted("10.0.0.0/33").is_err());
    }

    #[test]
    fn ipv6_sources_are_whole_slash_64s() {
        assert_eq!(
            Source::of(ip("2001:db8:1:2:aaaa::1")),
            Source::of(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            Source::of(ip("2001:db8:1:2::1")),
            Source::of(ip("2001:db8:1:3::1"))
        );
        assert_eq!(Source::of(ip("::ffff:203.0.113.7")).0, "203.0.113.7");
    }
}
