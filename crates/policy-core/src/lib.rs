//! policy-core: AWS IAM policies parsed and requests decided as AWS decides them.
//!
//! - [`parse_policy`] turns policy text into a [`Policy`] (all errors of a document at
//!   once, each with line, column and JSON path).
//! - [`Request::builder`] builds a request (principal, action, resource, context).
//! - [`evaluate`] decides it against a [`PolicySet`]; [`Response`] explains it.
//! - [`parse_request_document`] reads the JSON request document of the CLI and wasm API.
//! - [`suite::Suite`] reads and runs policy test suites, with statement coverage.
//! - [`Catalog::get`] is the AWS service authorization reference (services, actions,
//!   resource types, condition keys and their types), embedded; [`catalog`] has the rest.
//!
//! ```
//! use std::sync::Arc;
//! use policy_core::{evaluate, parse_policy, Decision, PolicySet, PolicyType, Principal, Request, Source};
//!
//! let text = r#"{"Version": "2012-10-17", "Statement": {
//!     "Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
//!     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}}"#;
//! let policy = parse_policy(&Source::new("policy.json", text), PolicyType::Identity)?.policy;
//! let policies = PolicySet { identity: vec![Arc::new(policy)], ..PolicySet::default() };
//! let decide = |ip: &str| -> Result<Decision, policy_core::RequestError> {
//!     let request = Request::builder()
//!         .principal(Principal::parse("arn:aws:iam::111122223333:user/alice")?)
//!         .action("s3:GetObject")
//!         .resource("arn:aws:s3:::amzn-s3-demo-bucket/photos/cat.jpg")
//!         .context_value("aws:SourceIp", vec![ip.to_string()])
//!         .build()?;
//!     Ok(evaluate(&policies, &request).decision())
//! };
//! assert_eq!(decide("203.0.113.9")?, Decision::Allow);
//! assert_eq!(decide("198.51.100.1")?, Decision::ImplicitDeny);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! No IO: no files, clock, environment or printing. The semantics and their rule ids
//! are in `docs/SEMANTICS.md`; the AWS source is
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>.

pub mod analysis;
mod arn;
pub mod catalog;
mod condition;
mod document;
pub mod estate;
mod eval;
mod explain;
mod json_out;
pub mod lint;
mod narrowing;
mod parse;
mod pattern;
mod plain_line;
mod policy;
mod request;
mod span;
mod suggest;
pub mod suite;
mod tree;
mod variables;

pub use catalog::{
    check_request, AccessLevel, ActionInfo, ActionResource, Catalog, CatalogWarning, CatalogWarningKind, ConditionKey,
    KeyType, ResourceType, Service,
};
pub use condition::operator_names;
pub use document::{
    decode_utf8, parse_request_document, DocumentError, LineReader, LineRequest, NoFiles, PartialDocument,
    PolicyLoader, RequestDocument, MAX_CONTEXT_KEYS,
};
pub use eval::{
    evaluate, evaluate_indexed, evaluate_into, evaluate_with, Decision, EvalOptions, Evaluation, PolicySet, PolicySlot,
    Reason, SetIndex, Verdict,
};
pub use explain::{
    write_response_json, DecidingItem, DecisionOnly, Detail, IndeterminateItem, NearMiss, PolicyVerdict, Response,
    ResponseWriter,
};
pub use lint::{lint, lint_at, Finding, LintPolicyType, LintReport, LintSeverity};
pub use parse::{
    parse_policy, parse_policy_at, Diagnostic, Parsed, PolicyError, Severity, EXCERPT_CHARS, MAX_DEPTH,
    MAX_POLICY_BYTES, MAX_STATEMENTS,
};
pub use policy::{Effect, Policy, PolicyType, PolicyVersion};
pub use request::{
    Acl, AclGrantee, AclPermission, Action, BlockPublicAccess, Context, KmsGrant, ObjectOwnership, Principal,
    PrincipalKind, Request, RequestBuilder, RequestError,
};
pub use span::{Location, Source, Span};
pub use variables::MAX_EXPANDED_BYTES;
