//! [`SetIndex`]: evaluation with a set's index decides and explains exactly as without
//! it, also when the set was changed after the index was built (a policy replaced,
//! moved, removed or duplicated, SCP levels swapped), for actions named exactly, by
//! service, by wildcard, through `NotAction`, and actions no policy names.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use policy_core::{
    evaluate_indexed, evaluate_into, evaluate_with, parse_policy, EvalOptions, Evaluation, Policy, PolicySet,
    PolicyType, Principal, Request, Response, SetIndex, Source,
};

fn policy(ty: PolicyType, statements: &[&str]) -> Arc<Policy> {
    let text = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","));
    Arc::new(parse_policy(&Source::new("p.json", text), ty).unwrap().policy)
}

fn identity(statements: &[&str]) -> Arc<Policy> {
    policy(PolicyType::Identity, statements)
}

fn scp(statements: &[&str]) -> Arc<Policy> {
    policy(PolicyType::Scp, statements)
}

/// A set whose policies name actions exactly, by service, by wildcard and through
/// `NotAction`, and leave some services unnamed.
fn base() -> PolicySet {
    PolicySet {
        identity: vec![
            identity(&[r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#]),
            identity(&[
                r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*"}"#,
                r#"{"Effect":"Allow","Action":"iam:List*","Resource":"*"}"#,
            ]),
            identity(&[r#"{"Effect":"Allow","NotAction":["iam:*","s3:PutObject"],"Resource":"*"}"#]),
            identity(&[r#"{"Effect":"Deny","Action":"*:Delete*","Resource":"*"}"#]),
        ],
        resource: None,
        permissions_boundary: Some(policy(
            PolicyType::PermissionsBoundary,
            &[r#"{"Effect":"Allow","Action":["s3:*","ec2:*","iam:*","dynamodb:*"],"Resource":"*"}"#],
        )),
        session: None,
        scp: vec![
            vec![scp(&[r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#])],
            vec![scp(&[
                r#"{"Effect":"Allow","Action":["s3:*","ec2:RunInstances","iam:*"],"Resource":"*"}"#,
                r#"{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}"#,
            ])],
        ],
        rcp: vec![],
        vpc_endpoint: vec![],
    }
}

/// Actions named exactly, by service only, by wildcard, only through `NotAction`, and
/// not at all.
const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
    "ec2:RunInstances",
    "ec2:TerminateInstances",
    "ec2:DescribeInstances",
    "iam:ListUsers",
    "iam:CreateUser",
    "dynamodb:GetItem",
    "dynamodb:DeleteItem",
    "sqs:SendMessage",
];

fn request(action: &str) -> Request {
    Request::builder()
        .principal(Principal::parse("arn:aws:iam::111122223333:role/app").unwrap())
        .action(action)
        .resource("*")
        .build()
        .unwrap()
}

fn json(ev: &Evaluation<'_>, set: &PolicySet, req: &Request) -> String {
    serde_json::to_string(&Response::new(ev, set, req, None)).unwrap()
}

/// Every action decided against `set` with `index` (by [`evaluate_indexed`], and by
/// [`evaluate_into`] into one reused evaluation) explains exactly as without it.
fn same_with_index(set: &PolicySet, index: &SetIndex, what: &str) {
    let mut reused = Evaluation::default();
    for near_misses in [false, true] {
        let opts = EvalOptions { near_misses };
        for action in ACTIONS {
            let req = request(action);
            let plain = json(&evaluate_with(set, &req, opts), set, &req);
            if !near_misses {
                let indexed = json(&evaluate_indexed(set, index, &req), set, &req);
                assert_eq!(plain, indexed, "{what}: {action}");
            }
            evaluate_into(set, Some(index), &req, opts, &mut reused);
            assert_eq!(
                plain,
                json(&reused, set, &req),
                "{what}: {action}, into a reused evaluation"
            );
        }
    }
}

#[test]
fn same_decisions_as_without_the_index() {
    let set = base();
    let index = SetIndex::new(&set);
    same_with_index(&set, &index, "unchanged");
    // The actions are not all decided alike: the test can tell rows apart.
    let decisions: std::collections::BTreeSet<String> = ACTIONS
        .iter()
        .map(|a| format!("{}", evaluate_indexed(&set, &index, &request(a)).decision()))
        .collect();
    assert!(decisions.len() >= 3, "{decisions:?}");
}

/// A change of a set, in place.
type Change = Box<dyn Fn(&mut PolicySet)>;

#[test]
fn a_set_changed_after_the_index_was_built_is_decided_as_it_is_now() {
    let set = base();
    let index = SetIndex::new(&set);
    let changes: Vec<(&str, Change)> = vec![
        (
            "identity[0] replaced",
            Box::new(|s| s.identity[0] = identity(&[r#"{"Effect":"Deny","Action":"s3:*","Resource":"*"}"#])),
        ),
        (
            "identity[2] replaced by a policy without NotAction",
            Box::new(|s| s.identity[2] = identity(&[r#"{"Effect":"Allow","Action":"sqs:*","Resource":"*"}"#])),
        ),
        ("identity[0] and [1] swapped", Box::new(|s| s.identity.swap(0, 1))),
        ("identity[2] and [3] swapped", Box::new(|s| s.identity.swap(2, 3))),
        ("identity[1] removed", Box::new(|s| drop(s.identity.remove(1)))),
        (
            "identity[3] duplicated",
            Box::new(|s| {
                let p = s.identity[3].clone();
                s.identity.push(p);
            }),
        ),
        (
            "identity[0] duplicated over identity[1]",
            Box::new(|s| s.identity[1] = s.identity[0].clone()),
        ),
        (
            "the boundary moved to the session policy",
            Box::new(|s| s.session = s.permissions_boundary.take()),
        ),
        (
            "the last identity policy moved to the resource policy",
            Box::new(|s| s.resource = s.identity.pop()),
        ),
        ("SCP levels swapped", Box::new(|s| s.scp.swap(0, 1))),
        (
            "an SCP moved into the other level",
            Box::new(|s| {
                let p = s.scp[0].remove(0);
                s.scp[1].push(p);
            }),
        ),
        (
            "an SCP level added",
            Box::new(|s| {
                s.scp
                    .push(vec![scp(&[r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#])])
            }),
        ),
        ("every policy removed", Box::new(|s| *s = PolicySet::default())),
    ];
    for (what, change) in &changes {
        let mut changed = set.clone();
        change(&mut changed);
        same_with_index(&changed, &index, what);
        // And the index of the changed set agrees too.
        same_with_index(&changed, &SetIndex::new(&changed), what);
        // Some changes change decisions: the old index must not keep the old ones.
    }
    let mut denied = set.clone();
    changes[0].1(&mut denied);
    let req = request("s3:GetObject");
    assert_eq!(
        format!("{}", evaluate_indexed(&set, &index, &req).decision()),
        "Allow",
        "the base set allows s3:GetObject"
    );
    assert_eq!(
        format!("{}", evaluate_indexed(&denied, &index, &req).decision()),
        "ExplicitDeny",
        "a policy replaced after the index was built decides"
    );
}

#[test]
fn an_empty_set_and_its_index() {
    let set = PolicySet::default();
    let index = SetIndex::new(&set);
    same_with_index(&set, &index, "empty");
    same_with_index(&base(), &index, "an empty set's index over another set");
}
