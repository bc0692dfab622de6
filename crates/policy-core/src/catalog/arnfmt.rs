//! Whether an ARN, or an ARN pattern of a policy, can name a resource of a type: is
//! there a concrete ARN that both the pattern and one of the type's ARN formats match?
//!
//! - The pattern follows the `Resource` element's rules ([`crate::arn`]): `*` is any run
//!   of characters and `?` one character, but neither crosses a `:` of the first five
//!   (the partition, service, region and account segments) when the pattern has six
//!   segments; a pattern with fewer segments is one wildcard pattern over the whole ARN.
//!   Policy variables (`${aws:username}`) stand for any text, like `*`; `${*}`, `${?}`
//!   and `${$}` are the literal characters.
//! - In a format (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) every `${Name}`
//!   stands for one or more characters other than the character that follows it in
//!   the format, so `${BucketName}/` holds no `/` and the five `:`-separated segments
//!   stay apart (in the partition, service, region and account segments it may also be
//!   empty: AWS-owned resources such as SSM's `AWS-RunShellScript` document have no
//!   account); a variable at the end stands for one or more of any character, but
//!   no `/` when the format is *sealed*: when another format of the service extends it
//!   with `/…` (the S3 `bucket` format, which `object` extends).
//! - Literal text is compared case-sensitively, as ARNs are.
//!
//! The test is the emptiness of the intersection of two automata, decided by a search
//! over pairs of positions: O(pattern length × format length), no allocation per
//! character.

/// The characters one position accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Lit(char),
    /// Any character but this one (`None`: any character).
    Not(Option<char>),
}

/// One position: a class, taken once or any number of times (`star`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct El {
    class: Class,
    star: bool,
}

fn meets(a: Class, b: Class) -> bool {
    match (a, b) {
        (Class::Lit(x), Class::Lit(y)) => x == y,
        (Class::Lit(x), Class::Not(e)) | (Class::Not(e), Class::Lit(x)) => e != Some(x),
        (Class::Not(_), Class::Not(_)) => true,
    }
}

/// The pattern's elements: policy variables become `*`; `*` and `?` do not cross a
/// `:` in the first five segments of a six-segment pattern.
fn pattern_elements(pattern: &str) -> Vec<El> {
    // Literal characters and wildcards, policy variables resolved.
    #[derive(Clone, Copy)]
    enum P {
        Lit(char),
        Star,
        One,
    }
    let mut toks = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${") {
            if let Some(end) = after.find('}') {
                let var = after.get(..end).unwrap_or("");
                match var {
                    "*" => toks.push(P::Lit('*')),
                    "?" => toks.push(P::Lit('?')),
                    "$" => toks.push(P::Lit('$')),
                    _ => toks.push(P::Star),
                }
                rest = after.get(end + 1..).unwrap_or("");
                continue;
            }
        }
        toks.push(match c {
            '*' => P::Star,
            '?' => P::One,
            c => P::Lit(c),
        });
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    let colons = toks.iter().filter(|t| matches!(t, P::Lit(':'))).count();
    let segmented = colons >= 5;
    let mut seen = 0;
    toks.iter()
        .map(|t| {
            let within = if segmented && seen < 5 { Some(':') } else { None };
            match *t {
                P::Lit(c) => {
                    if c == ':' {
                        seen += 1;
                    }
                    El {
                        class: Class::Lit(c),
                        star: false,
                    }
                }
                P::Star => El {
                    class: Class::Not(within),
                    star: true,
                },
                P::One => El {
                    class: Class::Not(within),
                    star: false,
                },
            }
        })
        .collect()
}

/// The format's elements: each `${Name}` is a run of characters other than the
/// character that follows it, non-empty in the resource segment.
fn format_elements(format: &str, sealed: bool) -> Vec<El> {
    let mut out = Vec::with_capacity(format.len());
    let mut rest = format;
    let mut colons = 0;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${") {
            if let Some(end) = after.find('}') {
                rest = after.get(end + 1..).unwrap_or("");
                let next = rest.chars().next();
                let class = Class::Not(if next.is_none() && sealed { Some('/') } else { next });
                // Empty in the first five segments (an AWS-owned resource's account),
                // not in the resource part.
                if colons >= 5 {
                    out.push(El { class, star: false });
                }
                out.push(El { class, star: true });
                continue;
            }
        }
        if c == ':' {
            colons += 1;
        }
        out.push(El {
            class: Class::Lit(c),
            star: false,
        });
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    out
}

/// Whether some text matches both element lists.
fn intersects(a: &[El], b: &[El]) -> bool {
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    let mut seen = vec![false; (n + 1) * w];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        match seen.get_mut(i * w + j) {
            Some(s) if !*s => *s = true,
            _ => continue,
        }
        if i == n && j == m {
            return true;
        }
        let (ea, eb) = (a.get(i), b.get(j));
        if ea.is_some_and(|x| x.star) {
            stack.push((i + 1, j));
        }
        if eb.is_some_and(|y| y.star) {
            stack.push((i, j + 1));
        }
        if let (Some(x), Some(y)) = (ea, eb) {
            if meets(x.class, y.class) && !(x.star && y.star) {
                stack.push((i + usize::from(!x.star), j + usize::from(!y.star)));
            }
        }
    }
    false
}

/// Whether the ARN or ARN pattern `pattern` can name a resource of ARN format
/// `format` (`sealed`: see the module comment). `*` can name anything.
pub(crate) fn can_match(format: &str, sealed: bool, pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    intersects(&pattern_elements(pattern), &format_elements(format, sealed))
}

/// Whether `format` is sealed among `formats` (the formats of its service): another
/// format is `format` followed by `/…`.
pub(crate) fn is_sealed<'a>(format: &str, mut formats: impl Iterator<Item = &'a str>) -> bool {
    format.ends_with('}')
        && formats.any(|g| {
            g.len() > format.len() && g.starts_with(format) && g.get(format.len()..).is_some_and(|t| t.starts_with('/'))
        })
}

#[cfg(test)]
mod tests {
    fn can_match(format: &str, pattern: &str) -> bool {
        super::can_match(format, format == BUCKET, pattern)
    }

    #[test]
    fn sealing() {
        assert!(super::is_sealed(BUCKET, [BUCKET, OBJECT].into_iter()));
        assert!(!super::is_sealed(OBJECT, [BUCKET, OBJECT].into_iter()));
        assert!(!super::is_sealed(ROLE, [ROLE].into_iter()));
    }

    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const LOG_STREAM: &str =
        "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";
    const ROLE: &str = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";

    #[test]
    fn concrete_arns() {
        assert!(can_match(OBJECT, "arn:aws:s3:::b/k"));
        assert!(can_match(OBJECT, "arn:aws:s3:::b/a/b:c"));
        assert!(!can_match(BUCKET, "arn:aws:s3:::b/k"));
        assert!(can_match(BUCKET, "arn:aws:s3:::b"));
        assert!(!can_match(OBJECT, "arn:aws:s3:::b"));
        assert!(can_match(
            "arn:${Partition}:ssm:${Region}:${Account}:document/${DocumentName}",
            "arn:aws:ssm:*::document/AWS-RunShellScript"
        ));
        assert!(can_match(ROLE, "arn:aws:iam::111122223333:role/path/r"));
        assert!(!can_match(ROLE, "arn:aws:iam::111122223333:user/u"));
        assert!(!can_match(ROLE, "arn:aws:s3:::b"));
        assert!(can_match(
            LOG_STREAM,
            "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:log-stream:s"
        ));
    }

    #[test]
    fn patterns() {
        assert!(can_match(OBJECT, "*"));
        assert!(can_match(BUCKET, "*"));
        assert!(can_match(OBJECT, "arn:aws:s3:::b/*"));
        // `b/*` cannot name a bucket: a bucket name holds no `/`.
        assert!(!can_match(BUCKET, "arn:aws:s3:::b/*"));
        assert!(can_match(BUCKET, "arn:aws:s3:::b*"));
        assert!(can_match(OBJECT, "arn:aws:s3:::b*"));
        assert!(can_match(OBJECT, "arn:aws:s3:*"));
        assert!(can_match(ROLE, "arn:aws:iam::*:role/*"));
        assert!(!can_match(ROLE, "arn:aws:iam::*:user/*"));
        // A `*` in the account segment does not cross into the resource.
        assert!(!can_match(ROLE, "arn:aws:iam:*:*:user/x"));
        assert!(can_match(ROLE, "arn:aws:iam::*:*"));
        assert!(can_match(ROLE, "arn:aws:iam::????????????:role/x"));
        assert!(!can_match(BUCKET, "arn:aws:iam::*:*"));
        // Policy variables are any text; `${*}` is a literal `*`.
        assert!(can_match(OBJECT, "arn:aws:s3:::b/home/${aws:username}/*"));
        assert!(can_match(ROLE, "arn:aws:iam::${aws:PrincipalAccount}:role/x"));
        assert!(!can_match(BUCKET, "arn:aws:s3:::b/${aws:username}"));
        assert!(can_match(BUCKET, "arn:aws:s3:::b${*}"));
        // `?` is one character.
        assert!(can_match(BUCKET, "arn:aws:s3:::?"));
        assert!(!can_match(OBJECT, "arn:aws:s3:::?"));
        assert!(!can_match(OBJECT, "arn:aws:s3:::b"));
    }
}
