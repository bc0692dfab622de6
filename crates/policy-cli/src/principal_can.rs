//! `policy-sim principal-can`: what a principal of an estate can do.

use std::collections::BTreeMap;

use clap::Args;
use policy_core::analysis::{principal_can, synthesize, PrincipalCanAnswer, PrincipalCanEntry, PrincipalCanQuery};

use crate::{Format, EXIT_INPUT};

#[derive(Debug, Args)]
pub struct PrincipalCanArgs {
    #[command(flatten)]
    question: crate::estate::QuestionArgs,
    /// The principal: a user's or role's ARN of the estate.
    #[arg(long)]
    principal: String,
    /// Only these services (repeat: `--service s3 --service kms`).
    #[arg(long = "service", value_name = "PREFIX")]
    services: Vec<String>,
    /// Print the answer as one synthesized identity-based policy (JSON).
    #[arg(long)]
    policy: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub fn run(a: PrincipalCanArgs) -> u8 {
    let (context, estate, _) = match crate::estate::question_inputs(&a.question) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let q = PrincipalCanQuery {
        principal: a.principal.clone(),
        services: a.services.clone(),
        context,
    };
    let answer = principal_can(&estate, &q, &mut estate.resolver());
    let out = if a.policy {
        let (policy, omitted) = synthesize(&answer);
        if omitted > 0 {
            eprintln!(
                "note: {omitted} statement{} left out: {} conditions cannot be written as one `Condition` block",
                if omitted == 1 { "" } else { "s" },
                if omitted == 1 { "its" } else { "their" }
            );
        }
        crate::pretty_json(&policy)
    } else {
        match a.format {
            Format::Json => crate::pretty_json(&answer),
            Format::Human => Ok(human(&answer)),
        }
    };
    if let Err(code) = crate::print_answer(out, estate) {
        return code;
    }
    if answer.found {
        0
    } else {
        EXIT_INPUT
    }
}

/// The answer for people: by service and access level.
fn human(a: &PrincipalCanAnswer) -> String {
    let mut o = format!(
        "What {} can do ({} action-resource pairs evaluated)\n",
        a.principal, a.evaluated
    );
    for n in &a.notes {
        o.push_str(&format!("note: {n}\n"));
    }
    let mut by: BTreeMap<(&str, &str), Vec<&PrincipalCanEntry>> = BTreeMap::new();
    for e in &a.entries {
        by.entry((&e.service, e.access_level.unwrap_or("Other")))
            .or_default()
            .push(e);
    }
    for ((service, level), entries) in by {
        let mut t = comfy_table::Table::new();
        t.load_style(comfy_table::presets::ASCII_MARKDOWN);
        t.set_header(vec!["action", "resource", "decision", "only if"]);
        for e in entries {
            t.add_row(vec![
                e.action.clone(),
                e.resource.clone(),
                format!("{:?}", e.decision),
                e.description.clone().unwrap_or_default(),
            ]);
        }
        o.push_str(&format!("\n{service} — {level}:\n{t}\n"));
    }
    if !a.patterns.is_empty() {
        o.push_str("\nBeyond the snapshot's resources (their own policies decide):\n");
        for (action, pats) in &a.patterns {
            o.push_str(&format!("  {action}: {}\n", pats.join(", ")));
        }
    }
    o
}
