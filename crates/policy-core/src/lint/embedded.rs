//! Policies inside other documents: CloudFormation templates (JSON and YAML) and
//! Terraform plans (`terraform show -json`). Pure: the caller reads the files.
//!
//! - [`detect`] tells what a text is.
//! - [`lint_document`] lints a plain policy, or every policy found in a template, each
//!   [`LintReport`] pointing into the template itself (`pointer` names the policy's
//!   place, such as `Resources.Role.Properties.AssumeRolePolicyDocument`).
//!
//! CloudFormation intrinsic functions (`{"Ref": …}`, `{"Fn::Sub": …}`, YAML `!Sub`,
//! `!GetAtt`…) are opaque values: no check looks inside them and none is an error. A
//! policy held in a JSON string (Terraform's `policy`, `assume_role_policy`) is
//! unescaped with a map from every byte back to the file, so locations are exact.
//!
//! Sources: <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html>,
//! <https://developer.hashicorp.com/terraform/internals/json-format>

use std::sync::Arc;

use jsonc_parser::ast::Value;
use jsonc_parser::CollectOptions;

use super::{lint, LintPolicyType, LintReport, OPAQUE};
use crate::span::{Source, Span};
use crate::tree::{
    emit, json_too_deep, json_tree, map_span, prop_name, yaml_tree, Cursor, EmitOptions, Flavor, Kind, Node, Places,
};

/// What a text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A policy document (or text that is meant to be one).
    Policy,
    /// A CloudFormation template in JSON.
    CloudFormationJson,
    /// A CloudFormation template in YAML.
    CloudFormationYaml,
    /// A Terraform plan or state in JSON (`terraform show -json`).
    TerraformPlan,
}

/// Tells what `text` (named `name`, a path) holds: a `.yaml`/`.yml` file or a text with
/// a top-level `Resources:` line is a YAML template; a JSON object with `Resources` is
/// a JSON template, one with `planned_values`, `resource_changes` or `values.root_module`
/// a Terraform plan; anything else a policy.
pub fn detect(name: &str, text: &str) -> DocumentKind {
    let lower = name.to_ascii_lowercase();
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') {
        if lower.ends_with(".yaml")
            || lower.ends_with(".yml")
            || text
                .lines()
                .any(|l| l.starts_with("Resources:") || l.starts_with("AWSTemplateFormatVersion:"))
        {
            return DocumentKind::CloudFormationYaml;
        }
        return DocumentKind::Policy;
    }
    let Ok(ast) = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &crate::parse::strict_json()) else {
        return DocumentKind::Policy;
    };
    let Some(Value::Object(o)) = ast.value else {
        return DocumentKind::Policy;
    };
    let has = |k: &str| o.properties.iter().any(|p| prop_name(&p.name) == k);
    if has("Statement") {
        DocumentKind::Policy
    } else if has("Resources") {
        DocumentKind::CloudFormationJson
    } else if has("planned_values") || has("resource_changes") || (has("values") && has("terraform_version")) {
        DocumentKind::TerraformPlan
    } else {
        DocumentKind::Policy
    }
}

/// Lints `source`: a policy as type `ty` (or inferred), or every policy embedded in a
/// template, each as the type its place says (a role's `AssumeRolePolicyDocument` is a
/// trust policy, a bucket policy's `PolicyDocument` a resource-based policy…; `ty`
/// applies only to places that do not say). A template that does not parse gets one
/// report with the syntax error.
pub fn lint_document(source: &Arc<Source>, ty: Option<LintPolicyType>) -> Vec<LintReport> {
    match detect(source.name(), source.text()) {
        DocumentKind::Policy => vec![lint(source, ty)],
        DocumentKind::CloudFormationJson | DocumentKind::TerraformPlan if json_too_deep(source.text()) => {
            vec![syntax_report(
                source,
                0,
                "json-syntax",
                &format!("JSON nesting deeper than the limit of {MAX_TEMPLATE_DEPTH}"),
            )]
        }
        DocumentKind::CloudFormationJson => match json_tree(source.text(), Flavor::CloudFormation).ok() {
            Some(root) => cloudformation(source, &root, ty),
            None => vec![lint(source, ty)],
        },
        DocumentKind::CloudFormationYaml if source.text().len() > MAX_YAML_BYTES => vec![syntax_report(
            source,
            0,
            "limit",
            &format!(
                "YAML template of {} bytes, more than the limit of {MAX_YAML_BYTES} bytes (CloudFormation accepts templates of at most 1 MB): it was not read",
                source.text().len()
            ),
        )],
        DocumentKind::CloudFormationYaml => match yaml_tree(source.text(), Flavor::CloudFormation) {
            Ok(root) => cloudformation(source, &root, ty),
            Err((at, msg)) => vec![syntax_report(
                source,
                at,
                "yaml-syntax",
                &format!("invalid YAML: {msg}"),
            )],
        },
        DocumentKind::TerraformPlan => terraform(source, ty),
    }
}

/// Largest YAML template read, in bytes: four times CloudFormation's own limit (a
/// template body of at most 1 MB, from S3;
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>).
/// The YAML reader holds an event per node, so memory grows with the text: a larger
/// template gets one `limit` finding and is not read.
pub const MAX_YAML_BYTES: usize = 4 * 1024 * 1024;

/// Deepest nesting of a template accepted (the trees are built recursively).
pub const MAX_TEMPLATE_DEPTH: usize = crate::tree::MAX_TREE_DEPTH;

fn syntax_report(source: &Arc<Source>, at: usize, code: &'static str, msg: &str) -> LintReport {
    super::file_report(source, at, code, msg.to_string(), None)
}

fn lint_node(outer: &Arc<Source>, node: &Node, pointer: String, ty: Option<LintPolicyType>) -> Option<LintReport> {
    if !matches!(node.kind, Kind::Map(_)) {
        return None;
    }
    let mut text = String::new();
    let mut places = Places::new();
    let opts = EmitOptions {
        opaque_prefix: OPAQUE,
        numbers_as_strings: false,
        align: None,
    };
    emit(node, &mut text, &mut places, opts, &mut Cursor::default());
    let inner = Source::new(outer.name(), text);
    let report = lint(&inner, ty);
    let map = |s: Span| map_span(&places, s);
    Some(report.remap(outer, pointer, map, node.span, "the policy's place in the template"))
}

// ---------------------------------------------------------------------------------
// CloudFormation.

fn cloudformation(source: &Arc<Source>, root: &Node, ty: Option<LintPolicyType>) -> Vec<LintReport> {
    let mut out = Vec::new();
    let Some(Kind::Map(resources)) = root.get("Resources").map(|r| &r.kind) else {
        return out;
    };
    for (name, _, res) in resources {
        let rtype = res.get("Type").and_then(Node::str).unwrap_or("");
        let Some(props) = res.get("Properties") else { continue };
        let base = format!("Resources.{name}.Properties");
        let doc_type = match rtype {
            "AWS::IAM::Policy"
            | "AWS::IAM::ManagedPolicy"
            | "AWS::IAM::GroupPolicy"
            | "AWS::IAM::UserPolicy"
            | "AWS::IAM::RolePolicy" => Some(LintPolicyType::Identity),
            "AWS::S3::BucketPolicy"
            | "AWS::SQS::QueuePolicy"
            | "AWS::SNS::TopicPolicy"
            | "AWS::S3::AccessPointPolicy" => Some(LintPolicyType::Resource),
            "AWS::EC2::VPCEndpoint" => Some(LintPolicyType::Endpoint),
            _ => ty,
        };
        if let Some(doc) = props.get("PolicyDocument") {
            out.extend(lint_node(source, doc, format!("{base}.PolicyDocument"), doc_type));
        }
        if let Some(doc) = props.get("AssumeRolePolicyDocument") {
            out.extend(lint_node(
                source,
                doc,
                format!("{base}.AssumeRolePolicyDocument"),
                Some(LintPolicyType::Trust),
            ));
        }
        if let Some(doc) = props.get("KeyPolicy") {
            out.extend(lint_node(
                source,
                doc,
                format!("{base}.KeyPolicy"),
                Some(LintPolicyType::Key),
            ));
        }
        if rtype == "AWS::Organizations::Policy" {
            let t = match props.get("Type").and_then(Node::str) {
                Some("SERVICE_CONTROL_POLICY") => Some(LintPolicyType::Scp),
                Some("RESOURCE_CONTROL_POLICY") => Some(LintPolicyType::Rcp),
                _ => None,
            };
            if let (Some(t), Some(doc)) = (t, props.get("Content")) {
                out.extend(lint_node(source, doc, format!("{base}.Content"), Some(t)));
            }
        }
        if let Some(Kind::Seq(policies)) = props.get("Policies").map(|p| &p.kind) {
            for (i, p) in policies.iter().enumerate() {
                if let Some(doc) = p.get("PolicyDocument") {
                    out.extend(lint_node(
                        source,
                        doc,
                        format!("{base}.Policies[{i}].PolicyDocument"),
                        Some(LintPolicyType::Identity),
                    ));
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Terraform plan JSON.

/// Unescapes the JSON string literal at `span` (quotes included) of `text`: the value
/// and, for every byte of it, its offset in `text` (one more entry for the end).
fn unescape(text: &str, span: Span) -> Option<(String, Vec<u32>)> {
    let raw = text.get(span.start as usize + 1..(span.end as usize).checked_sub(1)?)?;
    let base = span.start as usize + 1;
    let mut value = String::with_capacity(raw.len());
    let mut map = Vec::with_capacity(raw.len() + 1);
    let mut chars = raw.char_indices().peekable();
    let at = |i: usize| u32::try_from(base + i).unwrap_or(u32::MAX);
    while let Some((i, c)) = chars.next() {
        let decoded = if c == '\\' {
            let (_, e) = chars.next()?;
            match e {
                '"' => '"',
                '\\' => '\\',
                '/' => '/',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'u' => {
                    let hex = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| -> Option<u32> {
                        let mut n = 0u32;
                        for _ in 0..4 {
                            n = n * 16 + chars.next()?.1.to_digit(16)?;
                        }
                        Some(n)
                    };
                    let hi = hex(&mut chars)?;
                    if (0xD800..0xDC00).contains(&hi) {
                        let (_, b) = chars.next()?;
                        let (_, u) = chars.next()?;
                        if b != '\\' || u != 'u' {
                            return None;
                        }
                        let lo = hex(&mut chars)?;
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?))?
                    } else {
                        char::from_u32(hi)?
                    }
                }
                _ => return None,
            }
        } else {
            c
        };
        for _ in 0..decoded.len_utf8() {
            map.push(at(i));
        }
        value.push(decoded);
    }
    map.push(at(raw.len()));
    Some((value, map))
}

fn terraform(source: &Arc<Source>, ty: Option<LintPolicyType>) -> Vec<LintReport> {
    let text = source.text();
    let Ok(ast) = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &crate::parse::strict_json()) else {
        return vec![lint(source, ty)];
    };
    let Some(root) = ast.value.as_ref() else {
        return Vec::new();
    };
    let mut found: Vec<(String, &'static str, Span, Option<LintPolicyType>)> = Vec::new();
    // planned_values.root_module (and child_modules), or values.root_module.
    fn find<'a>(v: &'a Value<'a>, k: &str) -> Option<&'a Value<'a>> {
        match v {
            Value::Object(o) => o.properties.iter().find(|p| prop_name(&p.name) == k).map(|p| &p.value),
            _ => None,
        }
    }
    fn module<'a>(m: &'a Value<'a>, found: &mut Vec<(String, &'static str, Span, Option<LintPolicyType>)>) {
        if let Some(Value::Array(rs)) = find(m, "resources") {
            for r in &rs.elements {
                let address = match find(r, "address") {
                    Some(Value::StringLit(s)) => s.value.to_string(),
                    _ => String::new(),
                };
                let rtype = match find(r, "type") {
                    Some(Value::StringLit(s)) => s.value.to_string(),
                    _ => String::new(),
                };
                let Some(values) = find(r, "values") else { continue };
                for attr in ["policy", "assume_role_policy", "content"] {
                    let Some(Value::StringLit(s)) = find(values, attr) else {
                        continue;
                    };
                    if s.value.trim().is_empty() {
                        continue;
                    }
                    let t = match (rtype.as_str(), attr) {
                        (_, "assume_role_policy") => Some(LintPolicyType::Trust),
                        (
                            "aws_iam_policy" | "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy",
                            "policy",
                        ) => Some(LintPolicyType::Identity),
                        (
                            "aws_s3_bucket_policy"
                            | "aws_sqs_queue_policy"
                            | "aws_sns_topic_policy"
                            | "aws_sns_topic"
                            | "aws_sqs_queue",
                            "policy",
                        ) => Some(LintPolicyType::Resource),
                        ("aws_kms_key", "policy") => Some(LintPolicyType::Key),
                        ("aws_vpc_endpoint" | "aws_vpc_endpoint_policy", "policy") => Some(LintPolicyType::Endpoint),
                        ("aws_organizations_policy", "content") => match find(values, "type") {
                            Some(Value::StringLit(t)) if t.value == "RESOURCE_CONTROL_POLICY" => {
                                Some(LintPolicyType::Rcp)
                            }
                            Some(Value::StringLit(t)) if t.value == "SERVICE_CONTROL_POLICY" => {
                                Some(LintPolicyType::Scp)
                            }
                            _ => continue,
                        },
                        (_, "content") => continue,
                        _ => None,
                    };
                    let attr: &'static str = attr;
                    found.push((address.clone(), attr, Span::new(s.range.start, s.range.end), t));
                }
            }
        }
        if let Some(Value::Array(children)) = find(m, "child_modules") {
            for c in &children.elements {
                module(c, found);
            }
        }
    }
    for top in ["planned_values", "values", "prior_state"] {
        if let Some(rm) = find(root, top)
            .and_then(|v| find(v, "root_module").or_else(|| find(v, "values").and_then(|v| find(v, "root_module"))))
        {
            module(rm, &mut found);
            if !found.is_empty() {
                break;
            }
        }
    }
    let mut out = Vec::new();
    for (address, attr, span, t) in found {
        let t = t.or(ty);
        let pointer = format!("{address}.{attr}");
        let Some((value, map)) = unescape(text, span) else {
            continue;
        };
        let inner = Source::new(source.name(), value);
        let report = lint(&inner, t);
        let mapper = |s: Span| -> Option<Span> {
            let a = *map.get(s.start as usize)?;
            let b = *map.get(s.end as usize)?;
            Some(Span::new(a as usize, b.max(a) as usize))
        };
        out.push(report.remap(source, pointer, mapper, span, "the string holding the policy"));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]
    use super::*;

    fn codes(r: &LintReport) -> Vec<(&'static str, String, u32)> {
        r.findings
            .iter()
            .map(|f| (f.code, r.source().slice(f.span).to_string(), f.line))
            .collect()
    }

    #[test]
    fn yaml_template_with_short_form_intrinsics() {
        let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: 2012-10-17\n        Statement:\n          - Effect: Allow\n            Principal:\n              Service: ec2.amazonaws.com\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action: iam:PassRole\n                Resource: '*'\n              - Effect: Allow\n                Action: s3:GetObject\n                Resource: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'\n              - Effect: Allow\n                Action: [s3:PutObject]\n                Resource: !GetAtt Bucket.Arn\n";
        let src = Source::new("t.yaml", text);
        let reports = lint_document(&src, None);
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[0].pointer, "Resources.Role.Properties.AssumeRolePolicyDocument");
        assert_eq!(reports[0].policy_type, LintPolicyType::Trust);
        assert!(reports[0].findings.is_empty(), "{:?}", codes(&reports[0]));
        assert_eq!(
            reports[1].pointer,
            "Resources.Role.Properties.Policies[0].PolicyDocument"
        );
        assert_eq!(
            codes(&reports[1]),
            vec![("pass-role-with-star-in-resource", "'*'".to_string(), 20)]
        );
    }

    #[test]
    fn json_template_with_intrinsics_and_a_bucket_policy() {
        let text = r#"{"Resources": {"P": {"Type": "AWS::S3::BucketPolicy", "Properties": {
  "Bucket": {"Ref": "B"},
  "PolicyDocument": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": {"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "B"}, "/*"]]}}]}}}}}"#;
        let src = Source::new("t.json", text);
        let reports = lint_document(&src, None);
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].policy_type, LintPolicyType::Resource);
        assert_eq!(
            codes(&reports[0]),
            vec![(
                "public-principal-without-condition",
                "\"Principal\": \"*\"".to_string(),
                4
            )]
        );
    }

    #[test]
    fn terraform_plan_policy_strings_map_back_exactly() {
        let text = r#"{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {"resources": [
  {"address": "aws_iam_policy.p", "type": "aws_iam_policy", "values": {
    "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"*\"}]}"}}]}}}"#;
        let src = Source::new("plan.json", text);
        let reports = lint_document(&src, None);
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].pointer, "aws_iam_policy.p.policy");
        assert_eq!(
            codes(&reports[0]),
            vec![("pass-role-with-star-in-resource", "\\\"*\\\"".to_string(), 3)]
        );
    }

    #[test]
    fn yaml_spans_are_bytes_after_non_ascii_text() {
        let text = "Description: 'Rôle für 🚀 déploiement'\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: iam:PassRole\n            Resource: \"*\"\n";
        let src = Source::new("t.yaml", text);
        let reports = lint_document(&src, None);
        assert_eq!(
            codes(&reports[0]),
            vec![("pass-role-with-star-in-resource", "\"*\"".to_string(), 11)]
        );
        assert_eq!(reports[0].findings[0].column, 23);
    }

    #[test]
    fn deep_templates_are_errors_not_crashes() {
        let yaml = format!("Resources:\n  a: {}{}\n", "[".repeat(5000), "]".repeat(5000));
        let r = lint_document(&Source::new("t.yaml", yaml), None);
        assert_eq!(r[0].findings[0].code, "yaml-syntax");
        let json = format!("{{\"Resources\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        let r = lint_document(&Source::new("t.json", json), None);
        assert_eq!(r[0].findings[0].code, "json-syntax");
    }

    #[test]
    fn yaml_templates_at_the_size_limit_are_read_and_past_it_are_not() {
        let head = "Resources:\n  R:\n    Type: AWS::IAM::ManagedPolicy\n";
        let pad = |n: usize| format!("{head}{}\n", "#".repeat(n - head.len() - 1));
        let r = lint_document(&Source::new("t.yaml", pad(MAX_YAML_BYTES)), None);
        assert!(r.iter().all(|r| r.findings.iter().all(|f| f.code != "limit")));
        let r = lint_document(&Source::new("t.yaml", pad(MAX_YAML_BYTES + 1)), None);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].findings[0].code, "limit");
        assert_eq!((r[0].findings[0].line, r[0].findings[0].column), (1, 1));
    }

    #[test]
    fn invalid_yaml_is_one_error() {
        let src = Source::new("t.yaml", "Resources:\n  a: [\n");
        let reports = lint_document(&src, None);
        assert_eq!(reports[0].findings[0].code, "yaml-syntax");
    }

    #[test]
    fn unescape_maps_every_byte_back() {
        let text = r#"{"p": "{\"a\":\"\u00e9x\"}"}"#;
        let start = text.find("\"{").unwrap_or(0);
        let span = Span::new(start, text.len() - 1);
        let (v, map) = unescape(text, span).unwrap_or_default();
        assert_eq!(v, "{\"a\":\"éx\"}");
        let x = v.find('x').unwrap_or(0);
        let outer = map[x] as usize;
        assert_eq!(&text[outer..outer + 1], "x");
    }
}
