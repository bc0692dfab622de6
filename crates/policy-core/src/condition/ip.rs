//! `IpAddress`, `NotIpAddress` (S-COND-4): IPv4 and IPv6 CIDR blocks; a bare address is
//! `/32` or `/128`. A value that does not parse matches nothing.

use std::net::{IpAddr, Ipv4Addr};

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

/// `s` as an IPv4 address when it is written as `std` reads one and in the common form,
/// four octets of one to three decimal digits without a leading zero (`10.1.2.3`):
/// the per-request path's shortcut; `None` sends anything else to `std`'s parser.
fn plain_ipv4(s: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut n = 0;
    let mut digits = 0;
    let mut acc: u32 = 0;
    for &b in s {
        if b.is_ascii_digit() {
            if digits == 3 || (digits == 1 && acc == 0) {
                return None;
            }
            acc = acc * 10 + u32::from(b - b'0');
            digits += 1;
        } else if b == b'.' && digits > 0 && n < 3 {
            *octets.get_mut(n)? = u8::try_from(acc).ok()?;
            n += 1;
            (acc, digits) = (0, 0);
        } else {
            return None;
        }
    }
    if n != 3 || digits == 0 {
        return None;
    }
    *octets.get_mut(3)? = u8::try_from(acc).ok()?;
    Some(Ipv4Addr::from(octets))
}

/// Whether the IPv4 block `net` holds `addr` (as [`IpNet::contains`] answers, in two
/// integer operations).
#[inline]
fn v4_contains(net: &ipnet::Ipv4Net, addr: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(net.prefix_len())).unwrap_or(0);
    (u32::from(net.addr()) ^ addr) & mask == 0
}

pub(crate) fn any_match(vals: &[Option<IpNet>], v: &str) -> bool {
    // The common request value, a plain IPv4 address, against the IPv4 blocks.
    if let Some(a) = plain_ipv4(v.as_bytes()) {
        let a = u32::from(a);
        return vals.iter().flatten().any(|n| match n {
            IpNet::V4(n) => v4_contains(n, a),
            IpNet::V6(_) => false,
        });
    }
    // An IPv4-mapped IPv6 address (`::ffff:203.0.113.9`) is the IPv4 address.
    let addr = match v.trim().parse::<IpAddr>() {
        Ok(a) => a.to_canonical(),
        Err(_) => return false,
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

    /// The shortcut reads exactly what `std` reads, and nothing it does not.
    #[test]
    fn plain_ipv4_agrees_with_std() {
        for s in [
            "10.1.2.3",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "1.2.3.256",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3.0",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            ".1.2.3",
            "1.2.3.",
            "1234.1.1.1",
            "1.2.3.4 ",
            " 1.2.3.4",
            "",
            "1.2.3.4/32",
            "::1",
            "100.200.30.4",
        ] {
            let fast = plain_ipv4(s.as_bytes());
            if let Some(a) = fast {
                assert_eq!(s.parse::<Ipv4Addr>().ok(), Some(a), "{s:?}");
            }
            assert_eq!(
                any_match(&compile(&["0.0.0.0/0".into()]), s),
                s.trim().parse::<IpAddr>().is_ok_and(|a| a.to_canonical().is_ipv4()),
                "{s:?}"
            );
        }
        assert!(plain_ipv4(b"10.1.2.3").is_some());
        assert!(plain_ipv4(b"0.0.0.0").is_some());
        assert!(plain_ipv4(b"01.2.3.4").is_none());
    }

    /// The IPv4 shortcut answers as `ipnet` does, at every prefix length, inside and
    /// just outside each block, and an IPv6 block never holds an IPv4 address.
    #[test]
    fn v4_shortcut_agrees_with_ipnet() {
        for len in 0..=32u8 {
            for base in ["10.1.2.3", "203.0.113.128", "255.255.255.255", "0.0.0.0"] {
                let net: IpNet = format!("{base}/{len}").parse().unwrap();
                let IpNet::V4(n4) = net else { panic!("{net}") };
                let lo = u32::from(n4.network());
                let hi = u32::from(n4.broadcast());
                for a in [
                    lo,
                    hi,
                    lo.wrapping_sub(1),
                    hi.wrapping_add(1),
                    u32::from(n4.addr()),
                    0,
                    u32::MAX,
                ] {
                    let addr = Ipv4Addr::from(a);
                    let want = net.contains(&IpAddr::V4(addr));
                    assert_eq!(v4_contains(&n4, a), want, "{net} {addr}");
                    assert_eq!(any_match(&[Some(net)], &addr.to_string()), want, "{net} {addr}");
                }
            }
        }
        let v6 = compile(&["::/0".into(), "::ffff:0:0/96".into()]);
        assert!(!any_match(&v6, "10.1.2.3"));
        assert!(any_match(&compile(&["10.0.0.0/8".into()]), "::ffff:10.1.2.3"));
    }
}
