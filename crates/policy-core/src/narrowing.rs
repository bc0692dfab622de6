//! Conditions that keep a grant to everyone from being public: a narrowing condition key
//! fixed to values without wildcards or policy variables, as Amazon S3 decides a bucket
//! policy's status for Block Public Access (S-S3-1)
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status>),
//! shared by evaluation (`RestrictPublicBuckets`) and `analysis::exposure`.

/// The keys S3 names, lower-cased: an AWS principal (`aws:PrincipalOrgID`,
/// `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:userid`), a set of CIDRs
/// (`aws:SourceIp`, see [`fixed_value`]), a source (`aws:SourceArn`, `aws:SourceVpc`,
/// `aws:SourceVpce`, `aws:SourceOwner`, `aws:SourceAccount`), a KMS key, an access point.
pub(crate) const S3_NARROWING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "aws:sourceip",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// Whether `value` of the lower-cased key `key_lc` is fixed: no wildcard, no policy
/// variable, and for `aws:SourceIp` a range no broader than /8 (IPv4, except RFC 1918
/// private ranges) or /32 (IPv6): "values broader than /8 for IPv4 and /32 for IPv6
/// (excluding RFC1918 private ranges)" are public.
pub(crate) fn fixed_value(key_lc: &str, value: &str) -> bool {
    if value.contains(['*', '?']) || value.contains("${") {
        return false;
    }
    if key_lc != "aws:sourceip" {
        return true;
    }
    match value.parse::<ipnet::IpNet>() {
        Ok(ipnet::IpNet::V4(n)) => n.prefix_len() >= 8 || n.network().is_private(),
        Ok(ipnet::IpNet::V6(n)) => n.prefix_len() >= 32,
        Err(_) => value.parse::<std::net::IpAddr>().is_ok(),
    }
}

/// Whether testing `key_lc` for equality with `values` narrows a grant: the key is one
/// of `keys` and every value is fixed ([`fixed_value`]).
pub(crate) fn narrows<S: AsRef<str>>(keys: &[&str], key_lc: &str, values: &[S]) -> bool {
    keys.contains(&key_lc) && !values.is_empty() && values.iter().all(|v| fixed_value(key_lc, v.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ip_broader_than_a_slash_8_does_not_narrow() {
        let k = S3_NARROWING_KEYS;
        assert!(narrows(k, "aws:sourceip", &["203.0.113.0/24"]));
        assert!(narrows(k, "aws:sourceip", &["10.0.0.0/7"]), "RFC 1918 ranges narrow");
        assert!(!narrows(k, "aws:sourceip", &["0.0.0.0/1"]));
        assert!(!narrows(k, "aws:sourceip", &["203.0.113.0/24", "0.0.0.0/0"]));
        assert!(!narrows(k, "aws:sourceip", &["2001:db8::/16"]));
        assert!(narrows(k, "aws:sourceip", &["2001:db8::/48"]));
        assert!(!narrows(k, "aws:principalorgid", &["o-*"]));
        assert!(!narrows(k, "aws:principalarn", &["${aws:username}"]));
        assert!(!narrows(k, "aws:requestedregion", &["eu-west-1"]));
        assert!(!narrows::<&str>(k, "aws:principalorgid", &[]));
    }
}
