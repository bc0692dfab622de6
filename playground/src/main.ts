// The playground: a request editor, one editor per policy (by type), and the answer,
// re-evaluated by policy-wasm on every keystroke. The whole state lives in the URL
// fragment; nothing leaves the browser.

import type { EditorView } from "@codemirror/view";
import type { Text } from "@codemirror/state";
import init, {
  version,
  Workspace,
  type Diagnostic,
  type EvalResponse,
  type PolicyTypeName,
  type WorkspaceInput,
  type WorkspaceResult,
} from "policy-wasm";
import { createEditor, showResults, type Highlight } from "./editors";
import examplesJson from "./examples.json";
import {
  decodeState,
  encodeState,
  sortPolicies,
  stateFromDocument,
  TYPES,
  type Example,
  type PolicyState,
  type State,
} from "./state";
import "./style.css";

const examples = examplesJson as Example[];

interface Panel {
  id: string;
  type: PolicyTypeName;
  level: number;
  view: EditorView;
  root: HTMLElement;
  slot: HTMLElement;
  verdict: HTMLElement;
  /** The text the workspace has (texts are immutable: compared by identity). */
  sent?: Text;
}

const $ = <T extends HTMLElement>(sel: string): T => {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`missing ${sel}`);
  return el;
};

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null) e.append(c);
  return e;
}

let requestView: EditorView;
let requestSent: Text | undefined;
let workspace: Workspace;
let panels: Panel[] = [];
let clock = true;
let counter = 0;
let lastHash = "";
/** Per evaluation: the whole update (ms), and the wasm call alone. */
const timings: number[] = [];
const wasmTimings: number[] = [];

// ---------------------------------------------------------------- state <-> page

function currentState(): State {
  return {
    request: requestView.state.doc.toString(),
    policies: panels.map((p) => ({ type: p.type, level: p.level, text: p.view.state.doc.toString() })),
    clock,
  };
}

function typeInfo(type: PolicyTypeName) {
  return TYPES.find((t) => t.type === type) ?? TYPES[0];
}

function addPanel(p: PolicyState): Panel {
  const id = `${p.type}-${++counter}`;
  const info = typeInfo(p.type);
  const slot = el("span", { class: "slot" });
  const verdict = el("span", { class: "verdict", "data-testid": "panel-verdict" });
  const remove = el("button", { class: "icon", title: "Remove this policy", "aria-label": "Remove this policy" }, "×");
  const title = el("span", { class: "title" }, info.label);
  const header = el("div", { class: "panel-head" }, title);
  let level: HTMLInputElement | null = null;
  if (info.levels) {
    level = el("input", { type: "number", min: "0", max: "15", value: String(p.level), title: "Organization level (0 = root)" });
    header.append(el("label", { class: "level" }, "level ", level));
  }
  header.append(slot, verdict, remove);
  const body = el("div", { class: "editor" });
  const root = el("section", { class: `panel policy type-${p.type}`, "data-panel": id, "data-type": p.type }, header, body);
  $("#policy-list").append(root);
  const panel: Panel = { id, type: p.type, level: p.level, view: createEditor(body, p.text, changed), root, slot, verdict };
  remove.addEventListener("click", () => {
    panel.view.destroy();
    root.remove();
    panels = panels.filter((x) => x !== panel);
    changed();
  });
  level?.addEventListener("input", () => {
    panel.level = Math.max(0, Math.min(15, Math.trunc(Number(level?.value)) || 0));
    changed();
  });
  return panel;
}

function render(state: State): void {
  for (const p of panels) p.view.destroy();
  panels = [];
  $("#policy-list").replaceChildren();
  requestView.dispatch({ changes: { from: 0, to: requestView.state.doc.length, insert: state.request } });
  clock = state.clock;
  $<HTMLInputElement>("#clock").checked = clock;
  for (const p of sortPolicies(state.policies)) panels.push(addPanel(p));
  changed();
}

function loadExample(id: string): void {
  const ex = examples.find((e) => e.id === id);
  if (!ex) return;
  $<HTMLSelectElement>("#examples").value = ex.id;
  const about = $("#about");
  about.replaceChildren(el("strong", {}, ex.title + ". "), ex.description + " ");
  if (ex.expect) about.append(el("span", { class: "expect" }, `Expected: ${ex.expect}. `));
  if (ex.source) about.append(el("a", { href: ex.source, target: "_blank", rel: "noopener noreferrer" }, "AWS documentation"));
  render(stateFromDocument(ex.document));
}

// ---------------------------------------------------------------- evaluation

let scheduled = false;
let urlTimer: number | undefined;

function changed(): void {
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(evaluateNow);
  }
  window.clearTimeout(urlTimer);
  urlTimer = window.setTimeout(() => void writeUrl(), 250);
}

function evaluateNow(): void {
  scheduled = false;
  const t0 = performance.now();
  // Only the texts that changed since the last call: the workspace keeps the others parsed.
  const doc = requestView.state.doc;
  const input: WorkspaceInput = {
    request: doc === requestSent ? undefined : doc.toString(),
    policies: panels.map((p) => {
      const text = p.view.state.doc;
      return { id: p.id, type: p.type, level: p.level, text: text === p.sent ? undefined : text.toString() };
    }),
    clock,
  };
  requestSent = doc;
  for (const p of panels) p.sent = p.view.state.doc;
  const t1 = performance.now();
  const out = workspace.evaluate(input);
  const wasmMs = performance.now() - t1;
  if ("panels" in out) {
    apply(out);
  } else {
    // Bad input (never expected): send every text next time.
    requestSent = undefined;
    for (const p of panels) p.sent = undefined;
    showAnswer(undefined, out.error.message);
  }
  const ms = performance.now() - t0;
  timings.push(ms);
  wasmTimings.push(wasmMs);
  if (timings.length > 1000) {
    timings.shift();
    wasmTimings.shift();
  }
  $("#timing").textContent = `evaluated in ${wasmMs.toFixed(1)} ms (page updated in ${ms.toFixed(1)} ms)`;
}

function apply(out: WorkspaceResult): void {
  showResults(requestView, out.requestDiagnostics, []);
  const verdicts = new Map((out.response?.policies ?? []).map((v) => [v.policy, v]));
  out.panels.forEach((r, i) => {
    const p = panels[i];
    if (!p || p.id !== r.id) return;
    const highlights: Highlight[] = r.deciding.map((m) => ({
      from: m.statement.utf16Start,
      to: m.statement.utf16End,
      kind: m.effect === "Deny" ? "deny" : "allow",
      title: `deciding: ${m.label}`,
    }));
    for (const n of r.nearMisses) highlights.push({ from: n.utf16Start, to: n.utf16Start, kind: "miss", title: n.why });
    showResults(p.view, r.diagnostics, highlights);
    p.slot.textContent = r.slot ?? "";
    const v = out.response ? verdicts.get(r.verdictLabel) : undefined;
    p.verdict.textContent = v ? `${r.verdictLabel}: ${v.verdict}` : "";
    p.verdict.className = `verdict ${v ? v.verdict : ""}`;
    p.verdict.title = v?.detail ?? "";
    p.root.classList.toggle("has-error", r.diagnostics.some((d) => d.severity === "error"));
    p.root.classList.toggle("is-deciding", r.deciding.length > 0);
  });
  showAnswer(out.response, out.response ? undefined : whyNoAnswer(out));
}

/** Why there is no answer, naming the editors as the page does. */
function whyNoAnswer(out: WorkspaceResult): string {
  const first = (ds: Diagnostic[]) => {
    const d = ds.find((x) => x.severity === "error");
    return d ? `: ${d.message} (line ${d.line})` : "";
  };
  if (out.requestDiagnostics.length) return `The request is not valid${first(out.requestDiagnostics)}.`;
  const bad = out.panels
    .map((r, i) => ({ r, p: panels[i] }))
    .filter(({ r }) => r.diagnostics.some((d) => d.severity === "error"))
    .map(({ r, p }) => {
      const same = panels.filter((x) => x.type === p?.type);
      const n = same.length > 1 ? ` ${same.indexOf(p as Panel) + 1}` : "";
      return `${typeInfo(p?.type ?? "identity").label} policy${n}${first(r.diagnostics)}`;
    });
  return bad.length ? `Fix ${bad.length === 1 ? "this policy" : "these policies"} to get an answer:\n${bad.join("\n")}` : (out.error ?? "no answer");
}

function section(title: string, testid: string, ...items: (Node | null)[]): HTMLElement {
  return el("div", { class: "answer-section", "data-testid": testid }, el("h3", {}, title), ...items);
}

function list(items: Node[]): HTMLElement {
  const ul = el("ul");
  for (const i of items) ul.append(el("li", {}, i));
  return ul;
}

let shownAnswer = "";

function showAnswer(resp: EvalResponse | undefined, error: string | undefined): void {
  const key = JSON.stringify([resp, error]);
  if (key === shownAnswer) return;
  shownAnswer = key;
  const decision = $("#decision");
  const body = $("#answer-body");
  body.replaceChildren();
  if (!resp) {
    decision.textContent = "Invalid input";
    decision.className = "decision Invalid";
    body.append(el("p", { class: "error", "data-testid": "answer-error" }, error ?? "no answer"));
    return;
  }
  decision.textContent = resp.decision;
  decision.className = `decision ${resp.decision}`;
  if (resp.deciding.length) {
    body.append(
      section(
        "Deciding statements",
        "deciding",
        list(
          resp.deciding.map((d) => {
            const b = el("button", { class: `link ${d.effect ?? ""}` }, d.label);
            if (d.sid) b.append(el("span", { class: "sid" }, ` ${d.sid}`));
            b.addEventListener("click", () => reveal(d.file, d.line));
            if (!d.conditions?.length) return b;
            return el("span", {}, b, list(d.conditions.map((c) => el("span", { class: "detail" }, c))));
          }),
        ),
      ),
    );
  }
  body.append(
    section(
      "Why",
      "reasons",
      list(resp.reasons.map((r) => el("span", {}, el("code", { class: "rule" }, r.rule), " ", r.message))),
    ),
  );
  if (resp.serviceConstraints?.length) {
    body.append(
      section(
        "Service constraints (the call fails whatever the policies say)",
        "service-constraints",
        list(resp.serviceConstraints.map((r) => el("span", {}, el("code", { class: "rule" }, r.rule), " ", r.message))),
      ),
    );
  }
  const table = el("table", { class: "verdicts" });
  for (const v of resp.policies) {
    table.append(
      el(
        "tr",
        {},
        el("td", {}, v.policy),
        el("td", {}, el("span", { class: `verdict ${v.verdict}` }, v.verdict)),
        el("td", { class: "detail" }, v.detail ?? ""),
      ),
    );
  }
  body.append(section("Policy types", "verdicts", resp.policies.length ? table : el("p", {}, "no policies")));
  if (resp.missingContextKeys?.length) {
    const keys = el("div", { class: "chips" });
    for (const k of resp.missingContextKeys) keys.append(el("code", { class: "chip" }, k));
    body.append(section("Missing context keys", "missing-keys", keys));
  }
  if (resp.nearMisses?.length) {
    body.append(
      section(
        "Near misses",
        "near-misses",
        list(resp.nearMisses.map((n) => el("span", {}, el("code", {}, n.label), " ", n.why))),
      ),
    );
  }
  if (resp.indeterminate?.length) {
    body.append(
      section(
        "Indeterminate (fail-closed)",
        "indeterminate",
        list(resp.indeterminate.map((i) => el("span", {}, el("code", {}, i.label), ` (${i.effect}) `, i.why))),
      ),
    );
  }
  if (resp.assumptions?.length) {
    body.append(section("Assumptions", "assumptions", list(resp.assumptions.map((s) => el("span", {}, s)))));
  }
}

function reveal(file: string | undefined, line: number | undefined): void {
  const p = panels.find((x) => x.id === file);
  if (!p || !line) return;
  const pos = p.view.state.doc.line(Math.min(line, p.view.state.doc.lines)).from;
  p.root.scrollIntoView({ block: "nearest" });
  p.view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  p.view.focus();
}

// ---------------------------------------------------------------- the URL

async function writeUrl(): Promise<void> {
  const hash = await encodeState(currentState());
  if (hash !== lastHash) {
    lastHash = hash;
    history.replaceState(null, "", "#" + hash);
  }
}

async function readUrl(): Promise<boolean> {
  const fragment = location.hash.slice(1);
  if (!fragment || fragment === lastHash) return false;
  const state = await decodeState(fragment);
  if (!state) return false;
  lastHash = fragment;
  $<HTMLSelectElement>("#examples").value = "";
  $("#about").textContent = "Loaded from the link.";
  render(state);
  return true;
}

// ---------------------------------------------------------------- start

async function main(): Promise<void> {
  await init();
  workspace = new Workspace();
  $("#version").textContent = `policy-wasm ${version()}`;

  const select = $<HTMLSelectElement>("#examples");
  select.append(el("option", { value: "", disabled: "" }, "Examples…"));
  for (const group of [...new Set(examples.map((e) => e.group))]) {
    const og = el("optgroup", { label: group });
    for (const e of examples.filter((x) => x.group === group)) og.append(el("option", { value: e.id }, e.title));
    select.append(og);
  }
  select.addEventListener("change", () => loadExample(select.value));

  const addType = $<HTMLSelectElement>("#add-type");
  for (const t of TYPES) addType.append(el("option", { value: t.type }, t.label));
  $("#add").addEventListener("click", () => {
    const type = addType.value as PolicyTypeName;
    const info = typeInfo(type);
    if (!info.many && panels.some((p) => p.type === type)) {
      panels.find((p) => p.type === type)?.view.focus();
      return;
    }
    const stmt =
      type === "resource" || type === "rcp" || type === "endpoint"
        ? '{ "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*" }'
        : '{ "Effect": "Allow", "Action": "*", "Resource": "*" }';
    const panel = addPanel({ type, level: 0, text: `{\n  "Version": "2012-10-17",\n  "Statement": [\n    ${stmt}\n  ]\n}` });
    panels.push(panel);
    panel.root.scrollIntoView({ block: "nearest" });
    changed();
  });

  $<HTMLInputElement>("#clock").addEventListener("change", (e) => {
    clock = (e.target as HTMLInputElement).checked;
    changed();
  });
  $("#copy-link").addEventListener("click", async () => {
    await writeUrl();
    try {
      await navigator.clipboard.writeText(location.href);
      $("#copy-link").textContent = "Link copied";
    } catch {
      $("#copy-link").textContent = "Link is in the address bar";
    }
    setTimeout(() => ($("#copy-link").textContent = "Copy link"), 1500);
  });

  requestView = createEditor($("#request-editor"), "", changed);
  window.addEventListener("hashchange", () => void readUrl());
  if (!(await readUrl())) loadExample(examples[0]?.id ?? "");

  Object.assign(window, {
    __playground: {
      timings,
      wasmTimings,
      ready: true,
      flushUrl: writeUrl,
      editor: (id: string) => (id === "request" ? requestView : panels.find((p) => p.id === id)?.view),
      panelIds: () => panels.map((p) => p.id),
    },
  });
  document.body.dataset.ready = "true";
}

main().catch((e: unknown) => {
  $("#decision").textContent = "Failed to start";
  $("#answer-body").textContent = String(e);
});
