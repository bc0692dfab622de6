// Times policy-wasm's playground call — the work per keystroke — for every example, in
// node (V8, as in Chromium), with the editors as the playground fills them: every editor
// parsed (evaluateWorkspace), then a Workspace given a keystroke in the request editor,
// and one in the example's largest policy (only that policy is parsed again). The browser's own numbers, DOM updates included, come from the end-to-end test
// (test-results/timings.json).
//
// Usage (in playground/, after scripts/build-wasm.sh and npm run examples):
//   node bench.mjs [PKG_DIR]

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const pkg = resolve(process.argv[2] ?? join(here, "../crates/policy-wasm/pkg"));
const wasm = await import(join(pkg, "policy_wasm.js"));
wasm.initSync({ module: readFileSync(join(pkg, "policy_wasm_bg.wasm")) });
const examples = JSON.parse(readFileSync(join(here, "src/examples.json"), "utf8"));

/** The request document split into the playground's editors (as src/state.ts does). */
function workspace(doc) {
  const { policies = {}, ...request } = doc;
  const out = [];
  const add = (type, v, level = 0) => out.push({ id: `${type}-${out.length}`, type, level, text: JSON.stringify(v, null, 2) });
  for (const v of policies.identity ?? []) add("identity", v);
  if (policies.resource) add("resource", policies.resource);
  if (policies.permissionsBoundary) add("boundary", policies.permissionsBoundary);
  if (policies.session) add("session", policies.session);
  (policies.scp ?? []).forEach((level, l) => level.forEach((v) => add("scp", v, l)));
  (policies.rcp ?? []).forEach((level, l) => level.forEach((v) => add("rcp", v, l)));
  for (const v of policies.vpcEndpoint ?? []) add("endpoint", v);
  return { request: JSON.stringify(request, null, 2), policies: out, clock: false };
}

function time(f) {
  const t = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    f(i);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { median: +t[100].toFixed(3), p95: +t[190].toFixed(3) };
}

const rows = [];
for (const ex of examples) {
  const input = workspace(ex.document);
  const check = (out) => {
    if (out.response?.decision !== ex.expect) throw new Error(`${ex.id}: ${JSON.stringify(out).slice(0, 300)}`);
  };
  // Every editor parsed on every call (the stateless evaluateWorkspace).
  const all = time((i) => check(wasm.evaluateWorkspace({ ...input, request: input.request + " ".repeat(i % 2) })));
  // The playground: a Workspace given only the text that changed.
  const ws = new wasm.Workspace();
  check(ws.evaluate(input));
  const unchanged = input.policies.map(({ text, ...p }) => p);
  const request = time((i) => check(ws.evaluate({ request: input.request + " ".repeat(1 + (i % 2)), policies: unchanged, clock: false })));
  const largest = input.policies.reduce((a, p, i) => (p.text.length > (input.policies[a]?.text.length ?? -1) ? i : a), 0);
  const policy = time((i) =>
    check(
      ws.evaluate({
        policies: unchanged.map((p, j) => (j === largest ? { ...p, text: input.policies[j].text + " ".repeat(1 + (i % 2)) } : p)),
        clock: false,
      }),
    ),
  );
  ws.free();
  rows.push({
    example: ex.id,
    chars: input.policies.reduce((n, p) => n + p.text.length, 0),
    "all parsed: median ms": all.median,
    "request key: median": request.median,
    "request key: p95": request.p95,
    "largest-policy key: median": policy.median,
    "largest-policy key: p95": policy.p95,
  });
}
console.table(rows);
