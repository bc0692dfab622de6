//! `IpAddress`, `NotIpAddress` (S-COND-4): IPv4 and IPv6 CIDR blocks; a bare address is
//! `/32` or `/128`. A value that does not parse matches nothing.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;

use crate::request::Context;

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

/// A request value read as an address, as the IP operators read it: surrounding white
/// space ignored, an IPv4-mapped IPv6 address (`::ffff:203.0.113.9`) is the IPv4
/// address; `None`: not an address (it matches no block). Read once per request for
/// `aws:SourceIp` ([`Context::source_ip`]).
pub(crate) fn request_addr(v: &str) -> Option<IpAddr> {
    // The common request value, a plain IPv4 address, without `std`'s parser.
    if let Some(a) = plain_ipv4(v.as_bytes()) {
        return Some(IpAddr::V4(a));
    }
    v.trim().parse::<IpAddr>().ok().map(|a| a.to_canonical())
}

/// Whether a policy of `policies` has an `IpAddress` or `NotIpAddress` condition: if
/// none has, the requests decided against them need no reading of `aws:SourceIp`.
pub(crate) fn used_by(policies: &crate::eval::PolicySet) -> bool {
    crate::eval::slots(policies).any(|(_, p)| {
        p.statements
            .iter()
            .flat_map(|s| &s.conditions)
            .any(|c| matches!(c.values, super::Values::Ip(_)))
    })
}

/// Whether one of the blocks `vals` holds the request value `v` (a value that is not an
/// address matches none), `v` read as an address once per request when it is
/// `aws:SourceIp`'s ([`Context::source_ip`]).
pub(crate) fn any_match(vals: &[Option<IpNet>], v: &str, ctx: &Context) -> bool {
    let addr = match ctx.source_ip(v) {
        Some(addr) => addr,
        None => request_addr(v),
    };
    match addr {
        // An IPv4 address against the IPv4 blocks (an IPv6 block holds none).
        Some(IpAddr::V4(a)) => {
            let a = u32::from(a);
            vals.iter().flatten().any(|n| match n {
                IpNet::V4(n) => v4_contains(n, a),
                IpNet::V6(_) => false,
            })
        }
        Some(addr) => vals.iter().flatten().any(|n| n.contains(&addr)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Principal, Request};

    /// [`any_match`] against a context without the value: read on the spot.
    fn m(vals: &[Option<IpNet>], v: &str) -> bool {
        any_match(vals, v, &Context::default())
    }

    /// A request of `ctx`, as batch mode builds each line's into an earlier one's context.
    fn rebuild(ctx: Context) -> Request {
        Request::builder()
            .principal(Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap())
            .action("s3:GetObject")
            .context(ctx)
            .build()
            .unwrap()
    }

    /// A request with `aws:SourceIp` set to `values` (none: no such key), built again
    /// after an IP operator asked for an address.
    fn request(values: &[&str]) -> Request {
        let mut ctx = Context::default();
        ctx.insert("aws:MultiFactorAuthAge", vec!["120".into()]);
        if !values.is_empty() {
            ctx.insert("aws:SourceIp", values.iter().map(|v| v.to_string()).collect());
        }
        let first = rebuild(ctx);
        // Nothing is read until an operator asks.
        let v = first.context().get("aws:sourceip").map_or("", |v| &v[0]);
        assert_eq!(first.context().source_ip(v), None);
        rebuild(first.context)
    }

    fn blocks() -> Vec<Option<IpNet>> {
        compile(&[
            "10.0.0.0/8".into(),
            "2001:db8::/32".into(),
            "203.0.113.7".into(),
            "bad".into(),
        ])
    }

    /// `aws:SourceIp` is read once when the request is built, and the operators answer
    /// from that reading as they answer reading the text: plain and mapped IPv4, IPv6,
    /// white space, malformed and empty values (never a match).
    #[test]
    fn source_ip_is_read_once_at_build() {
        let vals = blocks();
        for v in [
            "10.1.2.3",
            "11.1.2.3",
            "203.0.113.7",
            " 10.1.2.3 ",
            "::ffff:10.1.2.3",
            "2001:db8::1",
            "2001:db9::1",
            "01.2.3.4",
            "10.1.2",
            "10.1.2.3/32",
            "not-an-ip",
            "",
        ] {
            let r = request(&[v]);
            let ctx = r.context();
            let held = &ctx.get("aws:sourceip").unwrap()[0];
            assert_eq!(ctx.source_ip(held), Some(request_addr(v)), "{v:?}");
            assert_eq!(any_match(&vals, held, ctx), m(&vals, v), "{v:?}");
            // Another text is read on the spot.
            let other = format!("{v}0");
            assert_eq!(ctx.source_ip(&other), None, "{v:?}");
            assert_eq!(any_match(&vals, &other, ctx), m(&vals, &other), "{v:?}");
        }
        assert!(m(&vals, "10.1.2.3") && m(&vals, "::ffff:10.1.2.3") && m(&vals, "2001:db8::1"));
        assert!(!m(&vals, "11.1.2.3") && !m(&vals, "10.1.2") && !m(&vals, ""));
    }

    /// Several values: the first is read at build, the others on the spot, and each
    /// answers as its text does; a request without the key reads nothing.
    #[test]
    fn source_ip_arrays_and_missing_key() {
        let vals = blocks();
        let r = request(&["11.1.2.3", "2001:db8::1", "bad", "10.9.9.9"]);
        let ctx = r.context();
        let held = ctx.get("aws:sourceip").unwrap();
        assert_eq!(ctx.source_ip(&held[0]), Some(request_addr("11.1.2.3")));
        let answers: Vec<bool> = held.iter().map(|v| any_match(&vals, v, ctx)).collect();
        assert_eq!(answers, [false, true, false, true]);
        for v in &held[1..] {
            assert_eq!(ctx.source_ip(v), None, "{v}");
        }
        let r = request(&[]);
        let other = &r.context().get("aws:multifactorauthage").unwrap()[0];
        assert_eq!(r.context().source_ip(other), None);
        assert!(!any_match(&vals, other, r.context()));
        assert_eq!(r.context().source_ip(""), None);
    }

    /// A context built into a request again (as batch mode reuses them) reads a new
    /// `aws:SourceIp`, and keeps the reading of the same text; a request that no IP
    /// operator asked about has the next build read nothing.
    #[test]
    fn source_ip_is_read_again_when_it_changes() {
        let vals = blocks();
        let mut ctx = request(&["10.1.2.3"]).context;
        for (v, want) in [
            ("10.1.2.3", true),
            ("11.1.2.3", false),
            ("bad", false),
            ("2001:db8::5", true),
            ("10.1.2.3", true),
        ] {
            ctx.insert("aws:SourceIp", vec![v.to_string()]);
            let r = rebuild(ctx);
            let held = &r.context().get("aws:sourceip").unwrap()[0];
            assert_eq!(r.context().source_ip(held), Some(request_addr(v)), "{v}");
            assert_eq!(any_match(&vals, held, r.context()), want, "{v}");
            ctx = r.context;
        }
        // Asked about (above), so read at this build; not asked about, so not at the next.
        ctx.insert("aws:SourceIp", vec!["10.7.7.7".into()]);
        let r = rebuild(ctx);
        let read = r.context.source_ip.read.as_deref().unwrap();
        assert_eq!((read.text.as_str(), read.addr), ("10.7.7.7", request_addr("10.7.7.7")));
        let mut ctx = r.context;
        ctx.insert("aws:SourceIp", vec!["10.8.8.8".into()]);
        let r = rebuild(ctx);
        assert_eq!(r.context.source_ip.read.as_deref().unwrap().text, "10.7.7.7");
    }

    /// A policy set asks for `aws:SourceIp` to be read at build when one of its
    /// policies, of any type, has an `IpAddress` or `NotIpAddress` condition.
    #[test]
    fn policy_sets_with_ip_operators() {
        use crate::eval::PolicySet;
        let policy = |op: &str| {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{{"{op}":{{"aws:SourceIp":"10.0.0.0/8"}}}}}}]}}"#
            );
            let src = crate::span::Source::new("p.json", &text);
            std::sync::Arc::new(
                crate::parse::parse_policy(&src, crate::policy::PolicyType::Identity)
                    .unwrap()
                    .policy,
            )
        };
        let plain = policy("StringEquals");
        let mut set = PolicySet {
            identity: vec![plain.clone()],
            ..PolicySet::default()
        };
        assert!(!used_by(&set));
        assert!(!used_by(&PolicySet::default()));
        for op in ["IpAddress", "NotIpAddress", "ForAnyValue:IpAddressIfExists"] {
            set.scp = vec![vec![plain.clone()], vec![policy(op)]];
            assert!(used_by(&set), "{op}");
        }
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
                m(&compile(&["0.0.0.0/0".into()]), s),
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
                    assert_eq!(m(&[Some(net)], &addr.to_string()), want, "{net} {addr}");
                }
            }
        }
        let v6 = compile(&["::/0".into(), "::ffff:0:0/96".into()]);
        assert!(!m(&v6, "10.1.2.3"));
        assert!(m(&compile(&["10.0.0.0/8".into()]), "::ffff:10.1.2.3"));
    }
}
