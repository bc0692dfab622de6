//! `policy-sim exposure`: what each resource of an estate grants outside its account.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use policy_core::analysis::{exposable, exposure_of, report, ExposureFinding, ExposureReport, ExposureScope};
use rayon::prelude::*;

use crate::sarif::*;

/// Output format of `exposure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExposureFormat {
    /// A table per resource.
    Human,
    /// The report as one JSON object.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning), a result per finding at the resource's
    /// policy in the snapshot.
    Sarif,
}

#[derive(Debug, Args)]
pub struct ExposureArgs {
    #[command(flatten)]
    question: crate::estate::QuestionArgs,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: ExposureFormat,
    /// Folder SARIF file URIs are relative to (default: the git repository's top).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Exit 5 when some finding is of this scope or wider (`public` <
    /// `outside-organization` < `aws-service` < `outside-account`).
    #[arg(long, value_enum)]
    fail_on: Option<Scope>,
    /// Print how long loading and answering took, on standard error.
    #[arg(long)]
    timings: bool,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scope {
    /// Public access only.
    Public,
    /// Public, or outside the organization.
    OutsideOrganization,
    /// Those, or AWS services.
    AwsService,
    /// Any access outside the resource's account.
    OutsideAccount,
}

impl Scope {
    fn covers(self, s: ExposureScope) -> bool {
        let rank = |s: ExposureScope| match s {
            ExposureScope::Public => 0,
            ExposureScope::OutsideOrganization => 1,
            ExposureScope::AwsService => 2,
            ExposureScope::OutsideAccount => 3,
        };
        let limit = match self {
            Scope::Public => 0,
            Scope::OutsideOrganization => 1,
            Scope::AwsService => 2,
            Scope::OutsideAccount => 3,
        };
        rank(s) <= limit
    }
}

pub fn run(a: ExposureArgs) -> u8 {
    let started = std::time::Instant::now();
    let (context, estate, loaded) = match crate::estate::question_inputs(&a.question) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let ask = || {
        let all = exposable(&estate);
        let worth: Vec<_> = all.iter().filter(|(_, w)| *w).map(|(e, _)| e).collect();
        let bar = crate::who_can::progress(worth.len(), "resources");
        let findings: Vec<ExposureFinding> = worth
            .par_chunks(16)
            .flat_map_iter(|chunk| {
                let mut resolver = estate.resolver();
                let out: Vec<ExposureFinding> = chunk
                    .iter()
                    .flat_map(|e| exposure_of(&estate, e, &context, &mut resolver))
                    .collect();
                bar.inc(chunk.len() as u64);
                out
            })
            .collect();
        bar.finish_and_clear();
        report(findings, &all)
    };
    let rep = match crate::who_can::pool(a.jobs) {
        Some(pool) => pool.install(ask),
        None => ask(),
    };
    if a.timings {
        eprintln!(
            "timings: load {:.1} ms, exposure {:.1} ms",
            loaded.as_secs_f64() * 1e3,
            (started.elapsed() - loaded).as_secs_f64() * 1e3
        );
    }
    let out = match a.format {
        ExposureFormat::Json => crate::pretty_json(&rep),
        ExposureFormat::Sarif => crate::pretty_json(&sarif(&rep, &sarif_root(a.root.as_deref()))),
        ExposureFormat::Human => Ok(human(&rep)),
    };
    let failing = a
        .fail_on
        .is_some_and(|f| rep.findings.iter().any(|x| f.covers(x.scope)));
    if let Err(code) = crate::print_answer(out, estate) {
        return code;
    }
    if failing {
        crate::EXIT_FINDINGS
    } else {
        0
    }
}

fn scope_word(s: ExposureScope) -> &'static str {
    match s {
        ExposureScope::Public => "public",
        ExposureScope::OutsideOrganization => "outside the organization",
        ExposureScope::AwsService => "AWS service",
        ExposureScope::OutsideAccount => "another account of the organization",
    }
}

/// The report for people: a table per resource.
fn human(rep: &ExposureReport) -> String {
    let mut o = format!(
        "Exposure: {} finding{} ({} of {} resources with policies name something outside their account)\n",
        rep.findings.len(),
        if rep.findings.len() == 1 { "" } else { "s" },
        rep.resources_analyzed,
        rep.resources_with_policies
    );
    let mut by_resource: BTreeMap<&str, Vec<&ExposureFinding>> = BTreeMap::new();
    for f in &rep.findings {
        by_resource.entry(&f.resource).or_default().push(f);
    }
    for (res, fs) in by_resource {
        let mut t = comfy_table::Table::new();
        t.load_style(comfy_table::presets::ASCII_MARKDOWN);
        t.set_header(vec!["grantee", "scope", "actions", "only if"]);
        for f in fs {
            let conditions: Vec<String> = f
                .actions
                .iter()
                .filter_map(|a| a.description.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let actions: Vec<&str> = f.actions.iter().map(|a| a.action.as_str()).collect();
            t.add_row(vec![
                format!("{} ({})", f.principal, f.principal_kind),
                scope_word(f.scope).to_string(),
                if actions.len() > 6 {
                    format!(
                        "{} … ({} actions)",
                        actions.get(..6).unwrap_or_default().join(", "),
                        actions.len()
                    )
                } else {
                    actions.join(", ")
                },
                if conditions.is_empty() {
                    "(always)".to_string()
                } else {
                    conditions.join("; or, for other actions: ")
                },
            ]);
        }
        o.push_str(&format!("\n{res}:\n{t}\n"));
    }
    o
}

/// The SARIF rules, one per scope.
const RULES: &[(&str, ExposureScope, &str, &str)] = &[
    (
        "public-access",
        ExposureScope::Public,
        "error",
        "The resource grants access to everyone",
    ),
    (
        "external-access-outside-organization",
        ExposureScope::OutsideOrganization,
        "warning",
        "The resource grants access to a principal outside the organization",
    ),
    (
        "external-access-aws-service",
        ExposureScope::AwsService,
        "note",
        "The resource grants access to an AWS service",
    ),
    (
        "cross-account-access",
        ExposureScope::OutsideAccount,
        "note",
        "The resource grants access to another account of the organization",
    ),
];

fn sarif(rep: &ExposureReport, root: &std::path::Path) -> Sarif {
    const URL: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html";
    let rules = RULES
        .iter()
        .map(|(id, _, level, text)| SarifRule {
            id,
            name: pascal(id),
            short_description: Text { text: (*text).into() },
            full_description: Text {
                text: format!("{text}, as IAM Access Analyzer's external access findings report it."),
            },
            help_uri: URL,
            help: Markdown {
                text: format!("{text}. Narrow the policy's Principal or add conditions."),
                markdown: format!("**{text}.** Narrow the policy's `Principal` or add conditions."),
            },
            default_configuration: Configuration { level, enabled: true },
            properties: RuleProperties {
                tags: vec!["security", "iam"],
                security_severity: Some(match *level {
                    "error" => "8.6",
                    "warning" => "6.5",
                    _ => "3.1",
                }),
                precision: "high",
                problem_severity: if *level == "error" { "error" } else { "warning" },
            },
        })
        .collect();
    let results = rep
        .findings
        .iter()
        .filter_map(|f| {
            let (i, (id, _, level, _)) = RULES.iter().enumerate().find(|(_, r)| r.1 == f.scope)?;
            let (file, line, column) = f
                .policy_location
                .as_deref()
                .and_then(|l| {
                    let mut it = l.rsplitn(3, ':');
                    let c = it.next()?.parse().ok()?;
                    let ln = it.next()?.parse().ok()?;
                    Some((it.next()?.to_string(), ln, c))
                })
                .unwrap_or_else(|| (f.resource.clone(), 1, 1));
            let actions: Vec<&str> = f.actions.iter().map(|a| a.action.as_str()).collect();
            let when: Vec<&str> = f.actions.iter().filter_map(|a| a.description.as_deref()).collect();
            let mut text = format!(
                "{} grants {} ({}) {}",
                f.resource,
                f.principal,
                f.principal_kind,
                actions.join(", ")
            );
            if let Some(w) = when.first() {
                text.push_str(&format!(" when {w}"));
            }
            let mut fp = BTreeMap::new();
            fp.insert(
                "exposure/v1",
                format!("{:016x}", fnv1a(&[id, &f.resource, &f.principal])),
            );
            Some(SarifResult {
                rule_id: id,
                rule_index: i,
                level,
                message: Text { text },
                locations: vec![SarifLocation {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: uri(&file, root),
                            uri_base_id: None,
                        },
                        region: Region {
                            start_line: line,
                            start_column: column,
                            end_line: line,
                            end_column: column + 1,
                        },
                    },
                    logical_locations: vec![LogicalLocation {
                        fully_qualified_name: f.resource.clone(),
                        kind: "resource",
                    }],
                }],
                partial_fingerprints: fp,
            })
        })
        .collect();
    Sarif::policy_sim(URL, rules, results)
}
