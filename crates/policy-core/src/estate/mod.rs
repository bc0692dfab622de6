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
//! The estate can also be read from the file store that `iam-collect` writes
//! ([`Layout::IamCollect`]; its layout and the members read are in the docs of that
//! reader); [`Layout::detect`] tells the two apart.
//!
//! The core reads no files: a [`SnapshotSource`] hands it the text ("give me this file,
//! list this folder"). [`Estate::load`] reads a whole snapshot; the parts
//! ([`Layout::read_organization`], [`Layout::read_account`], [`EstateBuilder`]) let a caller read
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
mod iam_collect;
mod model;
mod resolve;
mod source;
mod text;

pub use build::{AccountPart, EstateBuilder, ManagedPolicies, OrgPart};
pub use model::{Estate, EstatePrincipalKind, EstateSummary, EstateWarning, ResourceKind};
pub use resolve::{EstateInfo, EstateQuery, FoundEntity, PolicyOrigin, Resolved, Resolver};
pub use source::{MemorySource, SnapshotSource};

/// How a snapshot's files are laid out. Both build the same [`Estate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// A folder of AWS CLI outputs (`organizations/describe-organization.json`,
    /// `accounts/<id>/iam/get-account-authorization-details.json`…; see the module docs).
    AwsCli,
    /// The file store that `iam-collect` writes (`aws/<partition>/accounts/<id>/iam/role/…`,
    /// `aws/<partition>/organizations/<org-id>/…`), or one partition's folder of it
    /// (<https://github.com/act-security-labs/iam-collect/blob/main/docs/Storage.md>).
    IamCollect,
}

impl Layout {
    /// The layout of `src`: [`Layout::IamCollect`] when it has an `aws/<partition>/`
    /// folder, an `indexes/` folder, an organization folder (`organizations/o-…/`) or an
    /// account whose IAM data is in folders (`iam/role/`…); [`Layout::AwsCli`] when it
    /// has `organizations/` or `accounts/` otherwise; `None` when it has neither.
    pub fn detect(src: &dyn SnapshotSource) -> Option<Layout> {
        let mut r = build::Reader::new(src);
        if iam_collect::detect(&mut r) {
            return Some(Layout::IamCollect);
        }
        let top = r.list("");
        top.iter()
            .any(|n| n == "organizations" || n == "accounts")
            .then_some(Layout::AwsCli)
    }

    /// The layout's name on the command line: `aws-cli`, `iam-collect`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::AwsCli => "aws-cli",
            Layout::IamCollect => "iam-collect",
        }
    }

    /// Reads the organization's part of a snapshot; empty when absent.
    pub fn read_organization(self, src: &dyn SnapshotSource) -> OrgPart {
        let mut r = build::Reader::new(src);
        match self {
            Layout::AwsCli => cli_layout::read_organization(&mut r),
            Layout::IamCollect => iam_collect::read_organization(&mut r),
        }
    }

    /// Reads one account's part of a snapshot, independently of the others.
    pub fn read_account(self, src: &dyn SnapshotSource, id: &str) -> AccountPart {
        let mut r = build::Reader::new(src);
        match self {
            Layout::AwsCli => cli_layout::read_account(&mut r, id),
            Layout::IamCollect => iam_collect::read_account(&mut r, id),
        }
    }

    /// The ids of the accounts the snapshot has a folder for.
    pub fn account_ids(self, src: &dyn SnapshotSource) -> Vec<String> {
        let mut r = build::Reader::new(src);
        match self {
            Layout::AwsCli => cli_layout::account_ids(&mut r),
            Layout::IamCollect => iam_collect::account_ids(&mut r),
        }
    }

    /// Loads a whole snapshot of this layout (see [`Estate::load`]).
    pub fn load(self, src: &dyn SnapshotSource, managed: Option<&ManagedPolicies<'_>>) -> Estate {
        let mut b = EstateBuilder::new();
        b.organization(self.read_organization(src));
        for id in self.account_ids(src) {
            b.add_account(self.read_account(src, &id));
        }
        b.finish(managed)
    }
}

/// Reads the organization's part of a snapshot (its layout detected); empty when absent.
pub fn read_organization(src: &dyn SnapshotSource) -> OrgPart {
    detected(src).read_organization(src)
}

/// Reads one account's part of a snapshot (its layout detected), independently of the
/// others.
pub fn read_account(src: &dyn SnapshotSource, id: &str) -> AccountPart {
    detected(src).read_account(src, id)
}

/// The ids of the accounts the snapshot (its layout detected) has a folder for.
pub fn account_ids(src: &dyn SnapshotSource) -> Vec<String> {
    detected(src).account_ids(src)
}

fn detected(src: &dyn SnapshotSource) -> Layout {
    Layout::detect(src).unwrap_or(Layout::AwsCli)
}

impl Estate {
    /// Loads a whole snapshot, its layout detected ([`Layout::detect`]; the AWS CLI
    /// layout when neither is recognised). Never fails: what cannot be read is a warning
    /// ([`Estate::warnings`]), and the rest loads. `managed` fills in AWS managed
    /// policies that principals name but the snapshot does not hold.
    pub fn load(src: &dyn SnapshotSource, managed: Option<&ManagedPolicies<'_>>) -> Estate {
        detected(src).load(src, managed)
    }
}
