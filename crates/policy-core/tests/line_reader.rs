//! `LineReader` (batch mode's fast path) reads every plain line to the request the
//! general path reads (`PartialDocument::parse(line)?.over(base).finish()`), and leaves
//! every other line to it: the responses are compared byte for byte.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use policy_core::{evaluate, write_response_json, Detail, LineReader, PartialDocument, Source};

fn base(extra: &str) -> PartialDocument {
    let root = common::repo_root();
    let text = std::fs::read_to_string(root.join("fixtures/bench/realistic.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let extra: serde_json::Value = serde_json::from_str(extra).unwrap();
    // A `null` member removes the fixture's.
    for (k, x) in extra.as_object().unwrap() {
        match x {
            serde_json::Value::Null => drop(v.as_object_mut().unwrap().remove(k)),
            x => v[k] = x.clone(),
        }
    }
    let src = Source::new("base.json", v.to_string());
    let mut loader = common::FsLoader::new(&root.join("fixtures/bench"));
    let mut d = PartialDocument::parse(&src, &mut loader).unwrap();
    d.share_policies();
    d
}

fn general(line: &str, base: &PartialDocument, detail: Detail) -> Option<String> {
    let src = Source::new("line", line);
    let doc = PartialDocument::parse(&src, &mut policy_core::NoFiles)
        .and_then(|d| d.over(base).finish(&src))
        .ok()?;
    let ev = evaluate(&doc.policies, &doc.request);
    let mut out = Vec::new();
    write_response_json(&ev, &doc.policies, &doc.request, doc.id.as_ref(), detail, &mut out);
    Some(String::from_utf8(out).unwrap())
}

/// The fast path's answer; the request is given back to the reader, as batch mode does,
/// so that the next line is read into its buffers.
fn fast(line: &str, reader: &mut LineReader<'_>, detail: Detail) -> Option<String> {
    let doc = reader.read(line)?;
    let policies = reader.policies().unwrap();
    let ev = evaluate(policies, doc.request());
    let mut out = Vec::new();
    write_response_json(&ev, policies, doc.request(), doc.id.as_ref(), detail, &mut out);
    drop(ev);
    reader.recycle(doc);
    Some(String::from_utf8(out).unwrap())
}

/// The request context as the general path reads `line`, and as the fast path does.
fn contexts(line: &str, base: &PartialDocument, reader: &mut LineReader<'_>) -> Option<(String, String)> {
    let doc = reader.read(line)?;
    let fast = show(doc.request().context());
    reader.recycle(doc);
    Some((fast, general_context(line, base)))
}

/// A context's keys and values, in order.
fn show(c: &policy_core::Context) -> String {
    format!("{:?}", c.iter().collect::<Vec<_>>())
}

/// The request context as the general path reads `line` (which has no error).
fn general_context(line: &str, base: &PartialDocument) -> String {
    let src = Source::new("line", line);
    let doc = PartialDocument::parse(&src, &mut policy_core::NoFiles)
        .and_then(|d| d.over(base).finish(&src))
        .unwrap();
    show(doc.request.context())
}

/// Lines of many keys, read one after the other into the buffers of the line before:
/// keys in the same places, in other places, fewer and more of them, a base key
/// replaced and then not, another case of the same name, a line refused half-way (a key
/// twice) and a line with an error after its context. Every context is the general
/// path's, key for key in order.
#[test]
fn contexts_read_into_reused_buffers_are_the_general_paths() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"aws:CurrentTime":"2026-12-01T00:00:00Z","aws:RequestedRegion":"eu-west-1"}}"#,
    );
    let mut reader = LineReader::new(&base);
    let lines = context_lines();
    let mut fast_lines = 0;
    for _ in 0..2 {
        for l in &lines {
            if let Some((fast, general)) = contexts(l, &base, &mut reader) {
                fast_lines += 1;
                assert_eq!(fast, general, "{l}");
            }
        }
    }
    assert_eq!(
        fast_lines,
        2 * (lines.len() - 4),
        "all but the duplicate keys' and the bad principal's"
    );
}

/// Batch mode with one worker reads a block's lines on one thread before the worker
/// gives any back: many requests are held at once and come back in another order.
/// Every line read into a context given back out of order (of another line's keys)
/// has the general path's context.
#[test]
fn requests_given_back_in_any_order_are_read_into_as_the_general_path_reads() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"aws:CurrentTime":"2026-12-01T00:00:00Z","aws:RequestedRegion":"eu-west-1"}}"#,
    );
    let lines = context_lines();
    let mut reader = LineReader::new(&base);
    let mut held = Vec::new();
    let mut checked = 0;
    for round in 0..6 {
        // Read every line (in a rotated order), holding the requests.
        for k in 0..lines.len() {
            let l = &lines[(k + round * 5) % lines.len()];
            if let Some(doc) = reader.read(l) {
                assert_eq!(show(doc.request().context()), general_context(l, &base), "{l}");
                checked += 1;
                held.push(doc);
            }
        }
        // Give them back: reversed, or the odd ones first.
        if round % 2 == 0 {
            held.reverse();
        } else {
            let (odd, even): (Vec<_>, Vec<_>) = held.drain(..).enumerate().partition(|(i, _)| i % 2 == 1);
            held = odd.into_iter().chain(even).map(|(_, d)| d).collect();
        }
        for doc in held.drain(..) {
            reader.recycle(doc);
        }
    }
    assert_eq!(checked, 6 * (lines.len() - 4));
}

/// Lines of a base key, keys in other places, fewer and more keys, other cases of a
/// name, a key twice (refused half-way; three lines) and a line with an error after its
/// context.
fn context_lines() -> Vec<String> {
    let line = |context: &str| format!(r#"{{"resource":"arn:aws:s3:::b/k","context":{{{context}}}}}"#);
    vec![
        line(r#""a":"1","b":["2","3"],"c":true,"d":-4,"e":"x""#),
        line(r#""a":"5","b":["6"],"c":false,"d":7,"e":"y""#),
        line(r#""a":"5","b":["6","7","8"],"c":false"#),
        line(r#""b":"1","a":"2","c":"3","d":"4","e":"5","f":"6""#),
        line(r#""a":"1","aws:requestedregion":"us-east-1","b":[]"#),
        line(r#""a":"1","b":"2""#),
        line(r#""A":"1","B":"2""#),
        line(r#""a":"1","b":"2","c":"3","a":"4""#),
        line(r#""a":"9","b":"8","c":"7""#),
        line(r#""x":"1","y":"2","z":"3""#).replace("}}", r#"},"principal":"alice"}"#),
        line(r#""x":"1","y":"2""#),
        line(""),
        line(r#""AWS:CurrentTime":"2027-01-01T00:00:00Z","x":"1""#),
        line(r#""x":"2""#),
        // A key twice, the second time where the line before had it (recognised by
        // its name alone), in the same case and in another.
        line(r#""x":"1","a":"2""#),
        line(r#""a":"3","a":"4""#),
        line(r#""x":"1","A":"2""#),
        line(r#""a":"3","A":"4""#),
    ]
}

/// Reads `lines` one after the other through one reader (each request given back
/// before the next line, as batch mode's one worker does), and checks every answer and
/// context against the general path's; returns how many lines the fast path read.
fn sequence_agrees(base: &PartialDocument, lines: &[String]) -> usize {
    let mut reader = LineReader::new(base);
    let mut fast_lines = 0;
    for _ in 0..2 {
        for line in lines {
            for detail in [Detail::Decision, Detail::Full] {
                if let Some(got) = fast(line, &mut reader, detail) {
                    fast_lines += 1;
                    assert_eq!(Some(got), general(line, base, detail), "{line}");
                }
            }
            if let Some((fast, general)) = contexts(line, base, &mut reader) {
                assert_eq!(fast, general, "{line}");
            }
        }
    }
    fast_lines
}

/// Derived context keys (`aws:PrincipalArn`, `aws:PrincipalAccount`,
/// `aws:ResourceAccount`…) are added where neither the base nor the line gives them:
/// given by the base, by some lines in any case and at any place, and by none. The
/// reader tells the builder which key hashes a context holds, so that it skips the
/// look-ups of keys surely absent; a key it wrongly said absent would be added twice,
/// and a derived key it wrongly said present would be missing.
#[test]
fn derived_keys_are_added_where_no_base_or_line_key_gives_them() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/a","context":{"aws:PrincipalAccount":"999988887777","aws:RequestedRegion":"eu-west-1"}}"#,
    );
    let line = |principal: &str, context: &str| {
        format!(
            r#"{{"principal":"{principal}","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/a","context":{{{context}}}}}"#
        )
    };
    let alice = "arn:aws:iam::111122223333:user/alice";
    let role = "arn:aws:sts::111122223333:assumed-role/JohnDoe/s";
    let lines = vec![
        line(alice, r#""aws:SourceIp":"203.0.113.9""#),
        line(
            alice,
            r#""aws:SourceIp":"203.0.113.9","aws:PrincipalArn":"arn:aws:iam::111122223333:user/mallory""#,
        ),
        line(
            alice,
            r#""AWS:principalarn":"arn:aws:iam::111122223333:user/mallory","aws:SourceIp":"203.0.113.9""#,
        ),
        line(
            alice,
            r#""aws:SourceIp":"203.0.113.9","aws:ResourceAccount":"444455556666""#,
        ),
        line(
            alice,
            r#""aws:resourceaccount":"111122223333","aws:username":"bob","aws:PrincipalType":"Role""#,
        ),
        line(
            alice,
            r#""aws:PrincipalIsAWSService":"true","aws:SourceIp":"203.0.113.9""#,
        ),
        line(alice, r#""aws:principalaccount":"111122223333""#),
        // Another principal's name of the same length.
        line(
            "arn:aws:iam::111122223333:user/carol",
            r#""aws:principalaccount":"111122223333""#,
        ),
        line(
            role,
            r#""aws:SourceIp":"203.0.113.9","aws:PrincipalArn":"arn:aws:iam::111122223333:role/Other""#,
        ),
        line(role, r#""aws:SourceIp":"203.0.113.9""#),
        line(
            "lambda.amazonaws.com",
            r#""aws:PrincipalServiceName":"ec2.amazonaws.com""#,
        ),
        line("lambda.amazonaws.com", r#""aws:SourceIp":"203.0.113.9""#),
        line("anonymous", r#""aws:PrincipalType":"User""#),
        line("111122223333", ""),
        r#"{"context":{"aws:username":"carol"}}"#.to_string(),
        r#"{"context":{"aws:SourceIp":"203.0.113.9"}}"#.to_string(),
    ];
    let n = sequence_agrees(&base, &lines);
    assert_eq!(n, 2 * 2 * lines.len(), "every line is plain");
}

/// A line whose resource is the line before's reuses its segments (and whose action is
/// the line before's, its parsed action); any other resource
/// (one byte apart, of the same length but other segments, not an ARN, `*`, the base's)
/// is split anew. The policies allow by the resource's segments, so that segments
/// reused for another resource would change decisions.
#[test]
fn resources_like_the_line_befores_are_read_as_the_general_path_reads_them() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"iam:GetRole","resource":"arn:aws:iam::aws:policy/ReadOnlyAccess",
            "policies":{"identity":[{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":["s3:GetObject","iam:GetRole"],"Resource":["arn:aws:s3:::DOC-EXAMPLE-BUCKET/*","arn:aws:iam::111122223333:role/*"]},
                {"Effect":"Allow","Action":"iam:GetPolicy","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"111122223333"}}}]}]}}"#,
    );
    let line = |action: &str, resource: &str| {
        format!(r#"{{"action":"{action}","resource":"{resource}","context":{{"aws:SourceIp":"203.0.113.9"}}}}"#)
    };
    // Same length (38 bytes), other segments.
    let (role, object) = (
        "arn:aws:iam::111122223333:role/JohnDoe",
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET/abcdef",
    );
    assert_eq!(role.len(), object.len());
    let lines = vec![
        line("iam:GetRole", role),
        line("s3:GetObject", object),
        line("s3:GetObject", object),
        // Another action's name of the same length.
        line("s3:PutObject", object),
        line("iam:GetRole", role),
        line("iam:GetRole", "arn:aws:iam::111122223334:role/JohnDoe"),
        line("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        line("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        line("iam:GetPolicy", "arn:aws:iam::111:policy/ReadOnlyAccess"),
        line("iam:GetPolicy", "arn:aws:iam:::aws:policy/ReadOnlyAccess"),
        line("s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/q3.csv"),
        line("s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/q3.csv"),
        line("s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKEU/reports/q3.csv"),
        line("s3:GetObject", "*"),
        line("s3:GetObject", "*"),
        line("iam:GetPolicy", "not-an-arn"),
        line("iam:GetPolicy", "not-an-arn"),
        r#"{"action":"iam:GetPolicy","context":{"aws:SourceIp":"203.0.113.9"}}"#.to_string(),
        r#"{"action":"iam:GetPolicy","context":{"aws:SourceIp":"203.0.113.9"}}"#.to_string(),
        line("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        line("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess")
            .replace(r#""resource""#, r#""resourceAccount":"111122223333","resource""#),
    ];
    let n = sequence_agrees(&base, &lines);
    assert_eq!(n, 2 * 2 * lines.len(), "every line is plain");
}

/// A line left to the general path (a key twice, a bad principal, a bad action) after
/// it replaced a base key's value: the next line read into its context has the base's
/// value, not that line's.
#[test]
fn a_line_left_to_the_general_path_leaves_the_base_values_to_the_next() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{"aws:RequestedRegion":"eu-west-1","aws:SourceIp":"203.0.113.9"}}"#,
    );
    let lines: Vec<String> = [
        r#"{"context":{"aws:RequestedRegion":"us-east-1","AWS:requestedregion":"us-east-2"}}"#,
        r#"{"context":{}}"#,
        r#"{"principal":"alice","context":{"aws:SourceIp":"192.0.2.1","x":"1"}}"#,
        r#"{"context":{"x":"2"}}"#,
        r#"{"action":"GetObject","context":{"aws:RequestedRegion":"us-east-1"}}"#,
        r#"{"context":{"y":"3"}}"#,
    ]
    .map(str::to_string)
    .to_vec();
    let n = sequence_agrees(&base, &lines);
    assert_eq!(n, 2 * 2 * 3, "the three lines without error");
}

/// Lines whose context object repeats, byte for byte, that of the line read into the
/// same context before (read by one comparison, the context left as it was): with
/// other principals, actions and resources (other derived keys), after a line that
/// replaced a base key's value (put back when given back), after lines left to the
/// general path half-way through their context (a key twice, a bad principal), after
/// a line without a context, and the same keys spaced otherwise. Every answer and
/// context is the general path's.
#[test]
fn contexts_repeated_from_the_line_before_are_read_as_the_general_path_reads_them() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/a","context":{"aws:RequestedRegion":"eu-west-1","aws:SourceIp":"203.0.113.9"}}"#,
    );
    let c = r#"{"aws:SecureTransport":true,"aws:PrincipalAccount":"999988887777","aws:PrincipalTag/team":"analytics","s3:RequestObjectTagKeys":["Owner","CreationDate"],"aws:MultiFactorAuthAge":120}"#;
    let lines: Vec<String> = [
        format!(r#"{{"context":{c}}}"#),
        format!(r#"{{"principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/s","context":{c}}}"#),
        format!(r#"{{"context":{c},"action":"s3:PutObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/uploads/b"}}"#),
        // A base key replaced (each line is read three times in a row); then the
        // context without it.
        format!(
            r#"{{"context":{}}}"#,
            c.replace("120}", r#"120,"aws:SourceIp":"192.0.2.1"}"#)
        ),
        format!(r#"{{"context":{c}}}"#),
        // Left to the general path after writing values into the context.
        format!(
            r#"{{"context":{}}}"#,
            c.replace(r#""analytics""#, r#""ops","aws:SecureTransport":false"#)
        ),
        format!(r#"{{"context":{c}}}"#),
        format!(r#"{{"principal":"not an arn","context":{}}}"#, c.replace("120", "7")),
        format!(r#"{{"context":{c}}}"#),
        r#"{"resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/c"}"#.to_string(),
        format!(r#"{{"context":{c}}}"#),
        format!(r#"{{"context": {} }}"#, c.replace(',', ", ")),
        format!(r#"{{"context":{c}}}"#),
    ]
    .to_vec();
    let n = sequence_agrees(&base, &lines);
    assert_eq!(
        n,
        2 * 2 * (lines.len() - 2),
        "all but the key twice and the bad principal"
    );
}

/// Many lines whose contexts differ from the line before's, some repeating an older
/// line's: the reader then keeps the text of only some lines' contexts, and a context
/// whose text is not kept is read as any other. Every context is the general path's.
#[test]
fn contexts_that_rarely_repeat_are_read_as_the_general_path_reads_them() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
    );
    let mut reader = LineReader::new(&base);
    for i in 0..400 {
        let line = format!(r#"{{"context":{{"x":"{}","y":"1"}}}}"#, (i * 7) % 61);
        let (fast, general) = contexts(&line, &base, &mut reader).unwrap();
        assert_eq!(fast, general, "{line}");
    }
}

/// Requests of repeated lines held at once and given back in another order: each
/// context carries the text it was read from, and a line read into one is the general
/// path's whichever line's it was.
#[test]
fn repeated_contexts_given_back_in_any_order_are_read_as_the_general_path_reads_them() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
    );
    let lines = [
        r#"{"context":{"a":"1","b":"2"}}"#,
        r#"{"context":{"a":"1","b":"3"}}"#,
        r#"{"context":{"a":"1","b":"2"}}"#,
        r#"{"context":{"b":"2","a":"1"}}"#,
        r#"{"context":{"a":"1","b":"2","c":"3"}}"#,
        r#"{"context":{"a":"1"}}"#,
    ];
    let mut reader = LineReader::new(&base);
    let mut held = Vec::new();
    for round in 0..8 {
        for k in 0..lines.len() {
            let l = lines[(k * (round + 1)) % lines.len()];
            let doc = reader.read(l).unwrap();
            assert_eq!(show(doc.request().context()), general_context(l, &base), "{l}");
            held.push(doc);
        }
        if round % 2 == 0 {
            held.reverse();
        } else {
            held.rotate_left(round % lines.len());
        }
        for doc in held.drain(..) {
            reader.recycle(doc);
        }
    }
}

/// The base's resource account (checked when the base was read) and a line's own, valid
/// or not, one after the other: a line's invalid account is the general path's error
/// however many lines had the base's before it, and a line's account replaces the one
/// of the line before whatever its length.
#[test]
fn resource_accounts_of_the_base_and_of_lines_are_read_as_the_general_path_reads_them() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourceAccount":"111122223333"}"#,
    );
    let line = |account: &str| match account {
        "" => r#"{"context":{"x":"1"}}"#.to_string(),
        a => format!(r#"{{"resourceAccount":"{a}","context":{{"x":"1"}}}}"#),
    };
    let lines: Vec<String> = [
        "",
        "",
        "123",
        "",
        "444455556666",
        "111122223333",
        "444455556667",
        "",
        "abcdefghijkl",
        "",
    ]
    .map(line)
    .to_vec();
    let n = sequence_agrees(&base, &lines);
    assert_eq!(n, 2 * 2 * 8, "all but the two invalid accounts");
}

/// The resource account a line does not give is derived into the buffer of the request
/// read before (its ARN's account, else the principal's; none for an AWS-owned
/// resource), one line after another with accounts of other values and lengths, given
/// by some lines and derived for others: each line's is its own, never the line
/// before's. The policies allow by `aws:ResourceAccount`, and the full answers name the
/// account assumed.
#[test]
fn derived_resource_accounts_are_each_lines_own() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"iam:GetRole","resource":"arn:aws:s3:::b/k","resourceAccount":null,
            "policies":{"identity":[{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"444455556666"}}}]}]}}"#,
    );
    let line = |principal: &str, resource: &str, account: Option<&str>| {
        let account = account
            .map(|a| format!(r#""resourceAccount":"{a}","#))
            .unwrap_or_default();
        format!(r#"{{"principal":"{principal}",{account}"resource":"{resource}","context":{{"x":"1"}}}}"#)
    };
    let alice = "arn:aws:iam::111122223333:user/alice";
    let other = "arn:aws:iam::444455556666:user/bob";
    let lines = vec![
        line(alice, "arn:aws:iam::444455556666:role/r", None),
        line(alice, "arn:aws:s3:::b/k", None),
        line(alice, "arn:aws:iam::444455556667:role/r", None),
        line(other, "arn:aws:s3:::b/k", None),
        line(alice, "arn:aws:iam::aws:policy/ReadOnlyAccess", None),
        line(alice, "arn:aws:s3:::b/k", None),
        line(alice, "arn:aws:s3:::b/k", Some("444455556666")),
        line(alice, "arn:aws:s3:::b/k", None),
        line(alice, "arn:aws:iam::12345:role/r", None),
        line(alice, "*", None),
        line(other, "*", None),
        line(alice, "arn:aws:iam::444455556666:role/r", Some("111122223333")),
        line(alice, "arn:aws:iam::444455556666:role/r", None),
        line("lambda.amazonaws.com", "arn:aws:s3:::b/k", None),
        line(other, "arn:aws:s3:::b/k", None),
    ];
    let n = sequence_agrees(&base, &lines);
    assert_eq!(n, 2 * 2 * lines.len(), "every line is plain");
}

/// Many principals and actions, in turns and out of turn, one of them named twice in a
/// row, one written in another case: each line is decided for its own principal and
/// action (the policy allows a few users, and actions by name), never for one the
/// reader parsed for another text (the last one, compared first, or one it keeps by
/// its text).
#[test]
fn many_principals_and_actions_are_each_lines_own() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/u0","action":"s3:GetObject","resource":"arn:aws:s3:::b/k",
            "policies":{"identity":[{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*","Condition":{"StringEquals":{"aws:username":["u3","u7","u11"]}}}]}]}}"#,
    );
    let actions = [
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "s3:DeleteObject",
        "s3:GetObjectAcl",
        "s3:PutObjectAcl",
        "s3:GetBucketPolicy",
        "s3:PutBucketPolicy",
        "s3:ListAllMyBuckets",
        "S3:getobject",
        "s3:GetObjectTagging",
    ];
    let mut lines = Vec::new();
    for i in [
        0usize, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 3, 0, 7, 13, 2, 11, 5, 9, 1, 14, 3, 6,
    ] {
        let action = actions[(i * 7) % actions.len()];
        lines.push(format!(
            r#"{{"principal":"arn:aws:iam::111122223333:user/u{i}","action":"{action}","context":{{"x":"1"}}}}"#
        ));
    }
    let n = sequence_agrees(&base, &lines);
    assert_eq!(n, 2 * 2 * lines.len(), "every line is plain");
}

/// A context of more than `MAX_CONTEXT_KEYS` keys is the general path's error, however
/// the keys are read: all new, in the places of the line before's, or with a base key
/// among them.
#[test]
fn more_context_keys_than_the_limit_are_left_to_the_general_path() {
    let base = base(
        r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{"aws:RequestedRegion":"eu-west-1"}}"#,
    );
    let limit = policy_core::MAX_CONTEXT_KEYS;
    let line = |n: usize, extra: &str| {
        let keys: Vec<String> = (0..n).map(|i| format!(r#""k{i}":"v""#)).collect();
        format!(r#"{{"context":{{{extra}{}}}}}"#, keys.join(","))
    };
    let mut reader = LineReader::new(&base);
    for (l, fast_path) in [
        (line(limit, ""), true),
        (line(limit + 1, ""), false),
        (line(limit, ""), true),
        (line(limit, r#""aws:requestedregion":"us-east-1","#), false),
        (line(limit - 1, r#""aws:requestedregion":"us-east-1","#), true),
        (line(limit + 1, ""), false),
    ] {
        let got = fast(&l, &mut reader, Detail::Brief);
        assert_eq!(got.is_some(), fast_path, "{} keys", l.matches(':').count() - 1);
        let want = general(&l, &base, Detail::Brief);
        assert_eq!(want.is_some(), fast_path);
        if got.is_some() {
            assert_eq!(got, want);
        }
    }
}

const PLAIN: &[&str] = &[
    r#"{"principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/s","action":"s3:GetObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/2026/q3.csv","context":{"aws:SourceIp":"203.0.113.9","aws:RequestedRegion":"eu-west-1","aws:SecureTransport":true,"s3:RequestObjectTagKeys":["Owner","CreationDate"]}}"#,
    r#"{"id":7,"principal":"arn:aws:iam::111122223333:user/alice","action":"ec2:RunInstances","resource":"arn:aws:ec2:us-east-1:111122223333:instance/*","context":{"aws:RequestedRegion":"us-east-1"}}"#,
    r#"{"id":{"n":[1,"two"]},"principal":"arn:aws:iam::111122223333:role/JohnDoe","action":"S3:getobject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/a\"b\\c\u00e9\n"}"#,
    r#"{"action":"dynamodb:GetItem","resource":"arn:aws:dynamodb:us-east-1:111122223333:table/orders","context":{"AWS:RequestedRegion":"eu-central-1","aws:SOURCEIP":"203.0.113.9","n":12.5,"b":false,"m":[1,true,"x"]}}"#,
    r#"{"action":"dynamodb:GetItem","context":{"AWS:RequestedRegion":"eu-central-1","aws:requestedregion":"us-east-1"}}"#,
    r#"{"principal":"111122223333","action":"iam:PassRole","resource":"arn:aws:iam::111122223333:role/SageMakerRole","resourceAccount":"444455556666"}"#,
    r#"{"principal":"lambda.amazonaws.com","action":"s3:PutObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/uploads/a.bin","context":{}}"#,
    r#"  {"principal": "anonymous", "action": "s3:GetObject", "resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x", "principal_": 1}  "#,
    r#"{"principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/s","principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject"}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"aws:SourceIp":{"nested":1}}}"#,
    r#"{"principal":"arn:aws:iam::1234:user/alice","action":"s3:GetObject"}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"GetObject"}"#,
    r#"{"principal":{"Service":"lambda.amazonaws.com"},"action":"s3:GetObject"}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","sessionIssuer":"arn:aws:iam::111122223333:user/alice"}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","policies":{"identity":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}]}}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject"} trailing"#,
    r#"{"principal":null,"action":"s3:GetObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/x"}"#,
    r#" { "id" : "req-1" , "principal" : "arn:aws:iam::111122223333:user/alice" , "action" : "s3:ListBucket" , "resource" : "arn:aws:s3:::DOC-EXAMPLE-BUCKET" , "context" : { "s3:prefix" : [ ] , "s3:max-keys" : -12 , "aws:MultiFactorAuthPresent" : false } } "#,
    r#"{"id":18446744073709551615,"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/é✓"}"#,
    r#"{"id":-9,"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"n":0,"k":["a","b"],"Kx":true}}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"n":-0}}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"n":007}}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"n":1e3}}"#,
    r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","context":{"n":1,}}"#,
    "{\"principal\":\"arn:aws:iam::111122223333:user/alice\",\t\"action\":\"s3:GetObject\"}",
    r#"{}"#,
    r#"[1,2]"#,
];

#[test]
fn fast_path_answers_as_the_general_path() {
    let bases = [
        base("{}"),
        base(
            r#"{"principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/base","sessionIssuer":"arn:aws:iam::111122223333:role/team/JohnDoe","context":{"aws:CurrentTime":"2026-12-01T00:00:00Z","aws:RequestedRegion":"eu-west-1"},"id":"base-id"}"#,
        ),
        base(
            r#"{"action":"s3:GetObject","organization":{"managementAccount":"111122223333"},"blockPublicAccess":{"restrictPublicBuckets":true}}"#,
        ),
    ];
    let (mut fast_lines, mut general_only) = (0, 0);
    for base in &bases {
        let mut reader = LineReader::new(base);
        // Twice: the second time from the reader's caches.
        for _ in 0..2 {
            for line in PLAIN {
                for detail in [Detail::Decision, Detail::Brief, Detail::Full] {
                    let want = general(line, base, detail);
                    match fast(line, &mut reader, detail) {
                        Some(got) => {
                            fast_lines += 1;
                            assert_eq!(Some(got), want, "{line}");
                        }
                        None => general_only += 1,
                    }
                }
            }
        }
    }
    // Both paths are exercised: most lines are plain, the rest are the general path's.
    assert!(fast_lines >= 70, "{fast_lines} lines read by the fast path");
    assert!(general_only >= 80, "{general_only} lines left to the general path");
}

#[test]
fn fast_path_needs_shared_policies() {
    let mut b = base("{}");
    let line = PLAIN[0];
    assert!(LineReader::new(&b).read(line).is_some());
    b = PartialDocument::default();
    assert!(LineReader::new(&b).read(line).is_none());
}

/// Lines built from members and values of every shape, with random spacing: whatever
/// the fast path reads, it reads as the general path does.
mod generated {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("\"plain\"".to_string()),
            Just("\"with \\\"quote\\\" and \\u00e9\"".to_string()),
            Just("\"203.0.113.9\"".to_string()),
            // Raw UTF-8 and a raw tab (not JSON: a control character in a string).
            Just("\"café ✓\"".to_string()),
            Just("\"a\tb\"".to_string()),
            // Strings of every length around the scanner's 8- and 32-byte steps.
            "[a-zé:/ ]{0,40}".prop_map(|s| format!("\"{s}\"")),
            Just("\"\"".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            Just("null".to_string()),
            Just("{}".to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            Just("-0".to_string()),
            Just("0012".to_string()),
            Just("1.5".to_string()),
            Just("2E3".to_string()),
            Just("12345678901234567890123".to_string()),
        ]
    }

    fn values() -> impl Strategy<Value = String> {
        prop_oneof![
            value(),
            proptest::collection::vec(value(), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("aws:SourceIp"),
            Just("AWS:sourceip"),
            Just("aws:RequestedRegion"),
            Just("s3:RequestObjectTagKeys"),
            Just("aws:PrincipalArn"),
            Just("aws:ResourceAccount"),
            Just("x"),
        ]
        .prop_map(str::to_string)
    }

    fn member() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(r#""principal":"arn:aws:iam::111122223333:user/alice""#.to_string()),
            Just(r#""principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/s""#.to_string()),
            Just(r#""principal":"lambda.amazonaws.com""#.to_string()),
            Just(r#""principal":{"AWS":"111122223333"}"#.to_string()),
            Just(r#""action":"s3:GetObject""#.to_string()),
            Just(r#""action":"ec2:RunInstances""#.to_string()),
            Just(r#""action":"bad""#.to_string()),
            Just(r#""resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/q3.csv""#.to_string()),
            Just(r#""resource":"arn:aws:ec2:us-east-1:111122223333:instance/*""#.to_string()),
            Just(r#""resourceAccount":"444455556666""#.to_string()),
            Just(r#""resourceAccount":"4444""#.to_string()),
            value().prop_map(|v| format!(r#""id":{v}"#)),
            proptest::collection::vec((key(), values()), 0..4).prop_map(|kv| {
                let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!(r#""context":{{{}}}"#, body.join(","))
            }),
            Just(r#""sessionIssuer":"arn:aws:iam::111122223333:role/JohnDoe""#.to_string()),
        ]
    }

    fn spaced(parts: Vec<String>, spaces: Vec<u8>) -> String {
        let mut out = String::from("{");
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let n = spaces.get(i).copied().unwrap_or(0);
            for _ in 0..n % 3 {
                out.push(' ');
            }
            // Now and then a tab, which JSON allows as white space (the scanner
            // leaves such a line to the general path).
            if n % 17 == 16 {
                out.push('\t');
            }
            out.push_str(p);
        }
        out.push('}');
        out
    }

    /// A line of `members`, each a context or a principal, resource or resource account.
    fn sequence_line() -> impl Strategy<Value = String> {
        let context = proptest::collection::vec((key(), values()), 0..5).prop_map(|kv| {
            let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!(r#""context":{{{}}}"#, body.join(","))
        });
        let principal = prop_oneof![
            Just(String::new()),
            Just(r#""principal":"arn:aws:iam::111122223333:user/alice","#.to_string()),
            Just(r#""principal":"lambda.amazonaws.com","#.to_string()),
        ];
        let resource = prop_oneof![
            Just(String::new()),
            Just(r#""resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/q3.csv","#.to_string()),
            Just(r#""resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/q4.csv","#.to_string()),
            Just(r#""resource":"arn:aws:iam::aws:policy/ReadOnlyAccess","#.to_string()),
            Just(r#""resource":"*","#.to_string()),
            Just(
                r#""resourceAccount":"444455556666","resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/reports/q3.csv","#
                    .to_string()
            ),
        ];
        (principal, resource, context).prop_map(|(p, r, c)| format!("{{{p}{r}{c}}}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        /// Lines read one after the other into the contexts and buffers of the lines
        /// before (keys in any case and place, base and derived keys among them, a key
        /// twice): whatever the fast path reads, it reads as the general path does.
        #[test]
        fn fast_path_agrees_line_after_line(lines in proptest::collection::vec(sequence_line(), 1..8)) {
            thread_local! {
                static BASE: PartialDocument = base(
                    r#"{"principal":"arn:aws:sts::111122223333:assumed-role/JohnDoe/s","action":"s3:GetObject","context":{"aws:SourceIp":"192.0.2.1","aws:PrincipalAccount":"999988887777"}}"#,
                );
            }
            BASE.with(|b| {
                let mut reader = LineReader::new(b);
                for line in &lines {
                    for detail in [Detail::Decision, Detail::Full] {
                        if let Some(got) = fast(line, &mut reader, detail) {
                            prop_assert_eq!(Some(got), general(line, b, detail), "{}", line);
                        }
                    }
                }
                Ok(())
            })?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        #[test]
        fn fast_path_agrees(parts in proptest::collection::vec(member(), 0..7), spaces in proptest::collection::vec(any::<u8>(), 7)) {
            let line = spaced(parts, spaces);
            thread_local! {
                static BASE: PartialDocument = base(r#"{"context":{"aws:CurrentTime":"2026-12-01T00:00:00Z"}}"#);
            }
            BASE.with(|b| {
                let mut reader = LineReader::new(b);
                for detail in [Detail::Decision, Detail::Brief, Detail::Full] {
                    if let Some(got) = fast(&line, &mut reader, detail) {
                        prop_assert_eq!(Some(got), general(&line, b, detail), "{}", line);
                    }
                }
                Ok(())
            })?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]
        /// Lines of members in any order (each kind, twice, or with a name that starts
        /// as another's: `principal_`), read one after the other by one reader, which
        /// guesses each line's members to be in the order of the line before's: what
        /// the fast path reads, right guess or wrong, it reads as the general path does.
        #[test]
        fn members_in_any_order_are_read_line_after_line_as_the_general_path_reads_them(
            lines in proptest::collection::vec(
                (
                    proptest::collection::vec(
                        prop_oneof![
                            4 => member(),
                            1 => Just(r#""principal_":"x""#.to_string()),
                            1 => Just(r#""actions":"s3:GetObject""#.to_string()),
                        ],
                        0..7,
                    ),
                    proptest::collection::vec(any::<u8>(), 7),
                ),
                1..10,
            ),
        ) {
            thread_local! {
                static BASE: PartialDocument = base(r#"{"context":{"aws:CurrentTime":"2026-12-01T00:00:00Z"}}"#);
            }
            BASE.with(|b| {
                let mut reader = LineReader::new(b);
                for (parts, spaces) in &lines {
                    let line = spaced(parts.clone(), spaces.clone());
                    if let Some(got) = fast(&line, &mut reader, Detail::Brief) {
                        prop_assert_eq!(Some(got), general(&line, b, Detail::Brief), "{}", line);
                    }
                }
                Ok(())
            })?;
        }
    }
}
