//! Estates: an AWS organization snapshot loaded for evaluation.
//!
//! A snapshot is a folder of what the AWS CLI prints (`--output json`): the organization
//! tree with its SCPs and RCPs, each account's IAM (users, groups, roles and their
//! policies, from `aws iam get-account-authorization-details`) and resources with their
//! policies and settings. The layout is a contract (README, "Estates"):
//!
//! ```text
//! organizations/describe-organization.json, list-roots.json,
//!   list-organizational-units-for-parent/<parent-id>.json,
//!   list-accounts-for-parent/<parent-id>.json,
//!   list-policies-for-target/<target-id>.SERVICE_CONTROL_POLICY.json (…RESOURCE_CONTROL_POLICY.json),
//!   describe-policy/<policy-id>.json
//! accounts/<account-id>/iam/get-account-authorization-details.json
//!   s3control/get-public-access-block.json
//!   s3/<bucket>/get-bucket-policy.json, get-public-access-block.json,
//!     get-bucket-ownership-controls.json, get-bucket-acl.json, get-bucket-tagging.json
//!   kms/<region>/list-aliases.json, kms/<region>/<key-id>/describe-key.json,
//!     get-key-policy.json, list-grants.json, list-resource-tags.json
//!   sqs/<region>/<queue>/get-queue-attributes.json
//!   sns/<region>/<topic>/get-topic-attributes.json
//!   lambda/<region>/<function>/get-policy.json
//!   secretsmanager/<region>/<secret-name>/get-resource-policy.json
//!   ec2/<region>/describe-vpc-endpoints.json
//! ```
//!
//! Every part is optional; what is missing is stated, never guessed: in
//! [`Estate::warnings`] at load, and in each response's assumptions. Optional extras the
//! engine also reads: `s3/<bucket>/get-bucket-abac.json`, `sqs/…/list-queue-tags.json`,
//! `sns/…/list-tags-for-resource.json`, `lambda/…/list-tags.json`,
//! `secretsmanager/…/describe-secret.json` (tags, and the secret's full ARN).
//!
//! The core reads no files: a [`SnapshotSource`] hands it the text ("give me this file,
//! list this folder"). [`Estate::load`] reads a whole snapshot; the parts
//! ([`read_organization`], [`read_account`], [`EstateBuilder`]) let a caller read
//! accounts in parallel, or one partition at a time.
//!
//! Requests: [`Estate::resolve`] (or a [`Resolver`] per thread, whose caches make
//! per-request work index look-ups) finds every policy that applies and derives the
//! request context; evaluate the result with [`crate::evaluate`].
//!
//! ```
//! use policy_core::estate::{Estate, EstateQuery, MemorySource};
//! use policy_core::{evaluate, Decision};
//!
//! let mut snap = MemorySource::new();
//! snap.insert(
//!     "accounts/111122223333/iam/get-account-authorization-details.json",
//!     r#"{"UserDetailList": [{"UserName": "alice", "UserId": "AIDAEXAMPLE", "Path": "/",
//!         "Arn": "arn:aws:iam::111122223333:user/alice", "GroupList": [],
//!         "UserPolicyList": [{"PolicyName": "s3", "PolicyDocument": {"Version": "2012-10-17",
//!           "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]}]}"#,
//! );
//! let estate = Estate::load(&snap, None);
//! let q = EstateQuery {
//!     principal: "arn:aws:iam::111122223333:user/alice".into(),
//!     action: "s3:GetObject".into(),
//!     resource: Some("arn:aws:s3:::amzn-s3-demo-bucket/a.txt".into()),
//!     ..EstateQuery::default()
//! };
//! let r = estate.resolve(&q)?;
//! assert_eq!(evaluate(r.policies(), r.request()).decision(), Decision::Allow);
//! assert_eq!(r.request().context().get("aws:userid"), Some(&["AIDAEXAMPLE".to_string()][..]));
//! # Ok::<(), policy_core::RequestError>(())
//! ```

mod build;
mod cli_layout;
mod model;
mod resolve;
mod source;
mod text;

pub use build::{AccountPart, EstateBuilder, ManagedPolicies, OrgPart};
pub use model::{Estate, EstatePrincipalKind, EstateSummary, EstateWarning, ResourceKind};
pub use resolve::{EstateInfo, EstateQuery, FoundEntity, PolicyOrigin, Resolved, Resolver};
pub use source::{MemorySource, SnapshotSource};

/// Reads the organization's part of a snapshot (`organizations/`); empty when absent.
pub fn read_organization(src: &dyn SnapshotSource) -> OrgPart {
    cli_layout::read_organization(&mut build::Reader::new(src))
}

/// Reads one account's part of a snapshot (`accounts/<id>/`), independently of the
/// others.
pub fn read_account(src: &dyn SnapshotSource, id: &str) -> AccountPart {
    cli_layout::read_account(&mut build::Reader::new(src), id)
}

/// The ids of the accounts the snapshot has a folder for (`accounts/<id>/`).
pub fn account_ids(src: &dyn SnapshotSource) -> Vec<String> {
    cli_layout::account_ids(&mut build::Reader::new(src))
}

impl Estate {
    /// Loads a whole snapshot. Never fails: what cannot be read is a warning
    /// ([`Estate::warnings`]), and the rest loads. `managed` fills in AWS managed
    /// policies that principals name but the snapshot does not hold.
    pub fn load(src: &dyn SnapshotSource, managed: Option<&ManagedPolicies<'_>>) -> Estate {
        let mut b = EstateBuilder::new();
        b.organization(read_organization(src));
        for id in account_ids(src) {
            b.add_account(read_account(src, &id));
        }
        b.finish(managed)
    }
}
