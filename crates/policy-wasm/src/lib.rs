//! policy-wasm: policy-sim in the browser. wasm-bindgen bindings over policy-core's
//! public API with small JavaScript-facing types whose TypeScript definitions are
//! generated (tsify):
//!
//! - `evaluate(requestDocument, options?)`: the response `policy-sim eval --format json`
//!   prints, for a request document (JSON text or object, inline policies only);
//! - `lint(policyText, type)`: the parser's diagnostics for one policy type (errors and
//!   warnings) and the linter's findings (`policy-sim lint`'s checks; those that need
//!   the service catalog run only once a catalog is installed, as the package does not
//!   embed it, for its size budget), with line, column and UTF-16 offsets for editors;
//! - `parse(policyText)`: the diagnostics every policy type reports, the types the text
//!   is valid as, and its statements;
//! - `evaluateWorkspace(input)` and `new Workspace().evaluate(input)`: the playground's
//!   call (a request and one editor per policy; deciding statements mapped back to
//!   editors; a `Workspace` re-parses only the editors whose text changed);
//! - `version()`.
//!
//! Bad input (a wrong type, invalid JSON, an invalid policy or request) comes back as a
//! value `{ error: { message, … } }`; nothing throws. Build: `scripts/build-wasm.sh`.

pub mod api;
pub mod types;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::types::{Clock, ErrorResult, EvaluateOptions, WorkspaceInput};

#[wasm_bindgen(typescript_custom_section)]
const TS_RESULTS: &str = r#"
/** What `evaluate` returns: the response, or the error value. */
export type EvaluateResult = EvalResponse | ErrorResult;
/** What `lint` returns. */
export type LintOutput = LintResult | ErrorResult;
/** What `evaluateWorkspace` returns. */
export type WorkspaceOutput = WorkspaceResult | ErrorResult;
"#;

#[wasm_bindgen]
extern "C" {
    /// `EvaluateOptions` as JavaScript passes it (read through JSON).
    #[wasm_bindgen(typescript_type = "EvaluateOptions")]
    pub type JsEvaluateOptions;
}

/// The error value, serialised without fail.
fn error_value(message: String) -> JsValue {
    to_js(&ErrorResult {
        error: api::error(message),
    })
}

/// A value as a plain JavaScript object (through JSON, so exactly the serde shape).
fn to_js<T: Serialize>(value: &T) -> JsValue {
    match serde_json::to_string(value) {
        Ok(s) => js_sys::JSON::parse(&s).unwrap_or(JsValue::NULL),
        Err(e) => {
            let fallback = serde_json::json!({ "error": { "message": e.to_string() } }).to_string();
            js_sys::JSON::parse(&fallback).unwrap_or(JsValue::NULL)
        }
    }
}

/// A string argument, or the error value.
fn text_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| error_value(format!("{what} must be a string, got {}", type_name(value))))
}

/// JSON text of a string or an object argument, or the error value.
fn json_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    if !value.is_object() || value.is_function() {
        return Err(error_value(format!(
            "{what} must be JSON text or an object, got {}",
            type_name(value)
        )));
    }
    // `JSON.stringify` throws (a cycle, a BigInt) or gives `undefined` (a `toJSON`
    // returning nothing): both are bad input, not exceptions.
    match js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()) {
        Some(s) => Ok(s),
        None => Err(error_value(format!("{what} cannot be turned into JSON"))),
    }
}

fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else {
        value.js_typeof().as_string().unwrap_or_else(|| "a value".into())
    }
}

fn now_seconds() -> f64 {
    js_sys::Date::now() / 1000.0
}

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    api::version().to_string()
}

/// Evaluates a request document (JSON text or an object, as `policy-sim eval --request`
/// reads; inline policies only) and returns what `policy-sim eval --format json`
/// prints, or `{ error }` with line, column, path and, for an invalid inline policy,
/// its diagnostics.
#[wasm_bindgen(unchecked_return_type = "EvaluateResult")]
pub fn evaluate(
    #[wasm_bindgen(js_name = "requestDocument", unchecked_param_type = "string | object")] request_document: JsValue,
    options: Option<JsEvaluateOptions>,
) -> JsValue {
    let run = || -> Result<JsValue, JsValue> {
        let text = json_arg(&request_document, "the request document")?;
        let opts = match options.map(JsValue::from).filter(|o| !o.is_undefined() && !o.is_null()) {
            None => EvaluateOptions::default(),
            Some(options) => {
                let o = json_arg(&options, "options")?;
                serde_json::from_str::<EvaluateOptions>(&o).map_err(|e| error_value(format!("options: {e}")))?
            }
        };
        match api::evaluate(&text, &opts, now_seconds) {
            Ok(resp) => Ok(to_js(&resp)),
            Err(e) => Ok(to_js(&ErrorResult { error: e })),
        }
    };
    run().unwrap_or_else(|e| e)
}

/// The parser's diagnostics (errors and warnings) of `policyText` as a policy of
/// `policyType` (`identity|resource|boundary|session|scp|rcp|endpoint`), and the
/// linter's findings (`findings`: the checks of `policy-sim lint`, with severities
/// `error`, `security-warning`, `warning`, `suggestion`; the catalog checks only once a
/// catalog is installed).
#[wasm_bindgen(unchecked_return_type = "LintOutput")]
pub fn lint(
    #[wasm_bindgen(js_name = "policyText", unchecked_param_type = "string")] policy_text: JsValue,
    #[wasm_bindgen(js_name = "policyType", unchecked_param_type = "PolicyTypeName")] policy_type: JsValue,
) -> JsValue {
    let run = || -> Result<JsValue, JsValue> {
        let text = text_arg(&policy_text, "policyText")?;
        let ty = text_arg(&policy_type, "policyType")?;
        match api::lint(&text, &ty) {
            Ok(r) => Ok(to_js(&r)),
            Err(e) => Ok(to_js(&ErrorResult { error: e })),
        }
    };
    run().unwrap_or_else(|e| e)
}

/// Parses `policyText` against no particular type: the diagnostics every policy type
/// reports, the types it is valid as, `Version`, `Id` and the statements.
#[wasm_bindgen(unchecked_return_type = "ParseResult | ErrorResult")]
pub fn parse(#[wasm_bindgen(js_name = "policyText", unchecked_param_type = "string")] policy_text: JsValue) -> JsValue {
    match text_arg(&policy_text, "policyText") {
        Ok(text) => to_js(&api::parse(&text)),
        Err(e) => e,
    }
}

/// `object[key]`, or the error value when reading it throws (a getter, a proxy).
fn get(object: &JsValue, key: &JsValue, what: &str) -> Result<JsValue, JsValue> {
    js_sys::Reflect::get(object, key).map_err(|_| error_value(format!("reading {what} threw")))
}

/// A string member that may be absent.
fn optional_string(value: JsValue, what: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_string() {
        Some(s) => Ok(Some(s)),
        None => Err(error_value(format!(
            "{what} must be a string, got {}",
            type_name(&value)
        ))),
    }
}

/// The playground's input, read member by member from the JavaScript object (no JSON
/// text: the policy texts are copied once), every read checked.
fn workspace_input(input: &JsValue) -> Result<WorkspaceInput, JsValue> {
    if !input.is_object() || js_sys::Array::is_array(input) {
        return Err(error_value(format!(
            "the workspace must be an object, got {}",
            type_name(input)
        )));
    }
    let key = |k: &str| JsValue::from_str(k);
    let request = optional_string(get(input, &key("request"), "`request`")?, "`request`")?;
    let clock = get(input, &key("clock"), "`clock`")?;
    let clock = if clock.is_undefined() || clock.is_null() {
        None
    } else if let Some(b) = clock.as_bool() {
        Some(Clock::On(b))
    } else if let Some(n) = clock.as_f64() {
        Some(Clock::At(n))
    } else {
        return Err(error_value(format!(
            "`clock` must be a boolean or a number, got {}",
            type_name(&clock)
        )));
    };
    let list = get(input, &key("policies"), "`policies`")?;
    if !js_sys::Array::is_array(&list) {
        return Err(error_value(format!(
            "`policies` must be an array, got {}",
            type_name(&list)
        )));
    }
    let len = get(&list, &key("length"), "`policies.length`")?.as_f64().unwrap_or(0.0);
    let mut policies = Vec::new();
    for i in 0..(len.clamp(0.0, 10_000.0) as u32) {
        let what = |m: &str| format!("`policies[{i}].{m}`");
        let p =
            js_sys::Reflect::get_u32(&list, i).map_err(|_| error_value(format!("reading `policies[{i}]` threw")))?;
        if !p.is_object() {
            return Err(error_value(format!(
                "`policies[{i}]` must be an object, got {}",
                type_name(&p)
            )));
        }
        let id = optional_string(get(&p, &key("id"), &what("id"))?, &what("id"))?
            .ok_or_else(|| error_value(format!("{} is missing", what("id"))))?;
        let ty_name = optional_string(get(&p, &key("type"), &what("type"))?, &what("type"))?.unwrap_or_default();
        let ty = types::PolicyTypeName::parse(&ty_name).ok_or_else(|| {
            error_value(format!(
                "{}: `{ty_name}` is not one of identity, resource, boundary, session, scp, rcp, endpoint",
                what("type")
            ))
        })?;
        let level = get(&p, &key("level"), &what("level"))?;
        let level = if level.is_undefined() || level.is_null() {
            0
        } else {
            match level.as_f64() {
                Some(n) if n.is_finite() && (0.0..=f64::from(u32::MAX)).contains(&n) => n as u32,
                _ => return Err(error_value(format!("{} must be a level number", what("level")))),
            }
        };
        let text = optional_string(get(&p, &key("text"), &what("text"))?, &what("text"))?;
        policies.push(types::PanelInput { id, ty, level, text });
    }
    Ok(WorkspaceInput {
        request,
        policies,
        clock,
    })
}

/// The playground's call without state: the request editor's document and one editor
/// per policy, every text given; per-editor diagnostics, the response, and the
/// deciding statements and near misses of each editor.
#[wasm_bindgen(js_name = "evaluateWorkspace", unchecked_return_type = "WorkspaceOutput")]
pub fn evaluate_workspace(#[wasm_bindgen(unchecked_param_type = "WorkspaceInput")] input: JsValue) -> JsValue {
    match workspace_input(&input) {
        Ok(input) => to_js(&api::evaluate_workspace(&input, now_seconds)),
        Err(e) => e,
    }
}

/// The playground's state between keystrokes: `evaluate` takes the same input as
/// `evaluateWorkspace`, but a text left out (the request's, or an editor's) is the one
/// of the previous call, and only the editors whose text changed are parsed again.
#[wasm_bindgen(js_name = "Workspace")]
#[derive(Default)]
pub struct JsWorkspace {
    inner: api::Workspace,
}

#[wasm_bindgen(js_class = "Workspace")]
impl JsWorkspace {
    /// An empty workspace.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsWorkspace {
        JsWorkspace::default()
    }

    /// Evaluates the workspace; see `evaluateWorkspace`.
    #[wasm_bindgen(unchecked_return_type = "WorkspaceOutput")]
    pub fn evaluate(&mut self, #[wasm_bindgen(unchecked_param_type = "WorkspaceInput")] input: JsValue) -> JsValue {
        match workspace_input(&input) {
            Ok(input) => to_js(&self.inner.evaluate(&input, now_seconds)),
            Err(e) => e,
        }
    }
}
