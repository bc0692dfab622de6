//! `IpAddress`, `NotIpAddress` (S-COND-4): IPv4 and IPv6 CIDR blocks; a bare address is
//! `/32` or `/128`. A value that does not parse matches nothing.

use std::net::IpAddr;

use ipnet::IpNet;

pub(crate) fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

pub(crate) fn compile(raw: &[String]) -> Vec<Option<IpNet>> {
    raw.iter().map(|s| parse_net(s)).collect()
}

pub(crate) fn any_match(vals: &[Option<IpNet>], v: &str) -> bool {
    // An IPv4-mapped IPv6 address (`::ffff:203.0.113.9`) is the IPv4 address.
    let Some(addr) = v.trim().parse::<IpAddr>().ok().map(|a| a.to_canonical()) else {
        return false;
    };
    vals.iter().flatten().any(|n| n.contains(&addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_and_bare_addresses() {
        let v = compile(&["203.0.113.0/24".into(), "2001:db8::/32".into(), "198.51.100.7".into()]);
        assert!(any_match(&v, "203.0.113.9"));
        assert!(any_match(&v, "2001:db8::1"));
        assert!(any_match(&v, "198.51.100.7"));
        assert!(!any_match(&v, "198.51.100.8"));
        assert!(!any_match(&v, "not-an-ip"));
        assert!(any_match(&v, "::ffff:203.0.113.9"));
    }
}
