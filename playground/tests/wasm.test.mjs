// The browser package (crates/policy-wasm/pkg, built by scripts/build-wasm.sh) in node:
// evaluate() answers exactly what `policy-sim eval --format json` prints, lint() and
// parse() locate diagnostics in UTF-16 for editors, the Workspace re-uses unchanged
// texts, and bad input of any kind comes back as { error }, never as an exception.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { playground } from "./browser.mjs";

const repo = resolve(playground, "..");
const pkg = join(repo, "crates/policy-wasm/pkg");
const wasm = await import(join(pkg, "policy_wasm.js"));
wasm.initSync({ module: readFileSync(join(pkg, "policy_wasm_bg.wasm")) });

const examples = JSON.parse(readFileSync(join(playground, "src/examples.json"), "utf8"));
let cli;
let tmp;

before(() => {
  // The CLI the responses must equal (built by .ci/run's quick start already).
  execFileSync("cargo", ["build", "--release", "--locked", "-q", "-p", "policy-cli"], { cwd: repo, stdio: "inherit" });
  cli = join(process.env.CARGO_TARGET_DIR ? resolve(repo, process.env.CARGO_TARGET_DIR) : join(repo, "target"), "release/policy-sim");
  tmp = mkdtempSync(join(tmpdir(), "policy-wasm-"));
});

after(() => rmSync(tmp, { recursive: true, force: true }));

/** `policy-sim eval --format json --no-clock` of a request document, run where it is. */
function eval_(doc) {
  const file = join(tmp, "request.json");
  writeFileSync(file, JSON.stringify(doc, null, 2));
  let out;
  try {
    out = execFileSync(cli, ["eval", "--request", "request.json", "--format", "json", "--no-clock"], { cwd: tmp });
  } catch (e) {
    out = e.stdout; // exit codes 2 and 3 are denials
  }
  return JSON.parse(out.toString());
}

/** Calls `f`, failing the test if it throws. */
function noThrow(what, f) {
  try {
    return f();
  } catch (e) {
    assert.fail(`${what} threw: ${e}`);
  }
}

describe("policy-wasm", () => {
  test("version() is the workspace version", () => {
    const cargo = readFileSync(join(repo, "Cargo.toml"), "utf8");
    assert.equal(wasm.version(), /^version = "([^"]+)"/m.exec(cargo)[1]);
  });

  test("evaluate() answers what `policy-sim eval --format json` prints, for every example", () => {
    assert.ok(examples.length >= 10);
    for (const ex of examples) {
      const want = eval_(ex.document);
      const text = JSON.stringify(ex.document, null, 2);
      const got = wasm.evaluate(text, { clock: false, name: "request.json" });
      assert.deepEqual(got, want, ex.id);
      assert.equal(got.decision, ex.expect, ex.id);
      // An object evaluates as its JSON text (locations then point into that text).
      const fromObject = wasm.evaluate(ex.document, { clock: false });
      assert.equal(fromObject.decision, want.decision, ex.id);
      assert.deepEqual(
        fromObject.deciding.map((d) => d.label),
        want.deciding.map((d) => d.label),
        ex.id,
      );
    }
  });

  test("evaluate() fills aws:CurrentTime from the clock unless told not to", () => {
    const doc = {
      principal: "arn:aws:iam::111122223333:user/alice",
      action: "s3:GetObject",
      resource: "arn:aws:s3:::bucket/key",
      policies: {
        identity: [
          {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: "s3:GetObject",
                Resource: "*",
                Condition: { DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
              },
            ],
          },
        ],
      },
    };
    assert.equal(wasm.evaluate(doc).decision, "Allow");
    assert.equal(wasm.evaluate(doc, {}).decision, "Allow");
    const off = wasm.evaluate(doc, { clock: false });
    assert.equal(off.decision, "ImplicitDeny");
    assert.deepEqual(off.missingContextKeys, ["aws:CurrentTime"]);
    assert.equal(wasm.evaluate(doc, { clock: 1_500_000_000 }).decision, "ImplicitDeny");
    assert.equal(wasm.evaluate(doc, { clock: 1_700_000_000 }).decision, "Allow");
  });

  test("an invalid inline policy is an error value with located diagnostics", () => {
    const text = JSON.stringify(
      {
        principal: "arn:aws:iam::111122223333:user/alice",
        action: "s3:GetObject",
        policies: { identity: [{ Statement: [{ Effect: "allow", Action: "*", Resource: "*" }] }] },
      },
      null,
      2,
    );
    const r = wasm.evaluate(text, { name: "mine.json" });
    assert.equal(r.error.file, "mine.json");
    assert.equal(r.error.path, "policies.identity[0].Statement[0].Effect");
    const d = r.error.diagnostics[0];
    assert.equal(d.code, "invalid-effect");
    assert.equal(text.slice(d.utf16Start, d.utf16End), '"allow"');
    assert.equal(text.split("\n")[d.line - 1].slice(d.column - 1).startsWith('"allow"'), true);
  });

  test("lint() gives one type's diagnostics with UTF-16 offsets", () => {
    const text = '{\n  "Id": "naïve 🚀 policy",\n  "Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]\n}';
    const r = wasm.lint(text, "identity");
    assert.equal(r.valid, false);
    assert.equal(r.type, "identity");
    const d = r.diagnostics.find((x) => x.code === "invalid-effect");
    assert.equal(text.slice(d.utf16Start, d.utf16End), '"allow"');
    assert.equal(d.severity, "error");
    assert.equal(d.line, 3);
    assert.ok(typeof d.help === "string");
    // As a resource policy it also lacks a Principal.
    assert.ok(wasm.lint(text, "resource").diagnostics.length > r.diagnostics.length);
    for (const t of ["identity", "resource", "boundary", "session", "scp", "rcp", "endpoint"]) {
      assert.equal(wasm.lint('{"Statement": []}', t).type, t);
    }
    assert.match(wasm.lint("{}", "bucket").error.message, /unknown policy type/);
  });

  test("parse() gives the types a policy fits and its statements", () => {
    const text = '{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}';
    const r = wasm.parse(text);
    assert.equal(r.valid, true);
    assert.ok(r.types.includes("resource"));
    assert.ok(!r.types.includes("identity"));
    assert.equal(r.version, "2012-10-17");
    assert.equal(r.statements[0].sid, "Read");
    assert.equal(text.slice(r.statements[0].utf16Start, r.statements[0].utf16End)[0], "{");
    const broken = wasm.parse('{"Statement": [');
    assert.equal(broken.valid, false);
    assert.equal(broken.diagnostics[0].severity, "error");
  });

  test("a Workspace re-uses the texts it was not given", () => {
    const ws = new wasm.Workspace();
    const request = JSON.stringify({ principal: "arn:aws:iam::111122223333:user/a", action: "s3:GetObject" });
    const allow = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}';
    let r = ws.evaluate({ request, policies: [{ id: "p", type: "identity", text: allow }], clock: false });
    assert.equal(r.response.decision, "Allow");
    assert.equal(r.panels[0].deciding[0].statement.index, 0);
    r = ws.evaluate({ policies: [{ id: "p", type: "identity" }], clock: false });
    assert.equal(r.response.decision, "Allow");
    r = ws.evaluate({ policies: [{ id: "p", type: "identity", text: allow.replace("Allow", "Deny") }], clock: false });
    assert.equal(r.response.decision, "ExplicitDeny");
    ws.free();
  });

  test("bad input of any kind is an error value, never an exception", () => {
    const cyclic = {};
    cyclic.self = cyclic;
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("boom");
        },
        has() {
          throw new Error("boom");
        },
      },
    );
    const values = [
      undefined,
      null,
      0,
      NaN,
      true,
      "",
      "{",
      "[]",
      "null",
      '{"principal": 3}',
      "\u0000",
      "😀".repeat(1000),
      [],
      [1, 2],
      {},
      { principal: {} },
      { toJSON: () => undefined },
      { big: 10n },
      cyclic,
      hostile,
      () => 1,
      Symbol("s"),
      new Date(0),
      new Uint8Array(3),
    ];
    for (const v of values) {
      const name = typeof v === "symbol" ? "a symbol" : typeof v;
      const e = noThrow(`evaluate(${name})`, () => wasm.evaluate(v));
      assert.ok(e && typeof e.error?.message === "string", `evaluate(${name}): ${JSON.stringify(e)}`);
      for (const opts of [v, { clock: v }, { name: v }]) {
        const r = noThrow(`evaluate(doc, ${name})`, () => wasm.evaluate(examples[0].document, opts));
        assert.ok(r && (r.error || r.decision), `evaluate(doc, ${name})`);
      }
      const l = noThrow(`lint(${name})`, () => wasm.lint(v, "identity"));
      assert.ok(typeof v === "string" ? l.diagnostics || l.error : l.error, `lint(${name})`);
      assert.ok(noThrow(`lint(text, ${name})`, () => wasm.lint("{}", v)).error, `lint(text, ${name})`);
      const p = noThrow(`parse(${name})`, () => wasm.parse(v));
      assert.ok(typeof v === "string" ? p.diagnostics : p.error, `parse(${name})`);
      const w = noThrow(`evaluateWorkspace(${name})`, () => wasm.evaluateWorkspace(v));
      assert.ok(w.error !== undefined || w.panels, `evaluateWorkspace(${name})`);
      for (const input of [
        { request: v, policies: [] },
        { request: "{}", policies: v },
        { request: "{}", policies: [v] },
        { request: "{}", policies: [{ id: "x", type: "identity", text: v }] },
        { request: "{}", policies: [{ id: "x", type: v, text: "{}" }] },
        { request: "{}", policies: [{ id: "x", type: "scp", level: v, text: "{}" }] },
        { request: "{}", policies: [], clock: v },
      ]) {
        const r = noThrow(`evaluateWorkspace member ${name}`, () => wasm.evaluateWorkspace(input));
        assert.ok(r.error !== undefined || r.panels, `evaluateWorkspace member ${name}`);
      }
    }
    // The module still works afterwards.
    assert.equal(wasm.evaluate(examples[0].document, { clock: false }).decision, examples[0].expect);
  });
});
