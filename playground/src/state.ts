// The playground's state, the examples, and the URL fragment that carries the state.
// Nothing is sent anywhere: the fragment never leaves the browser.

import type { PolicyTypeName } from "policy-wasm";

export interface PolicyState {
  type: PolicyTypeName;
  /** For `scp` and `rcp`: the organization level, 0 = root. */
  level: number;
  text: string;
}

export interface State {
  /** The request document without `policies`. */
  request: string;
  policies: PolicyState[];
  /** Fill `aws:CurrentTime` and `aws:EpochTime` from the clock (as `policy-sim eval`). */
  clock: boolean;
}

export interface Example {
  id: string;
  group: string;
  title: string;
  description: string;
  source?: string;
  expect?: string;
  document: Record<string, unknown>;
}

export const TYPES: { type: PolicyTypeName; label: string; many: boolean; levels: boolean }[] = [
  { type: "identity", label: "Identity-based", many: true, levels: false },
  { type: "resource", label: "Resource-based", many: false, levels: false },
  { type: "boundary", label: "Permissions boundary", many: false, levels: false },
  { type: "session", label: "Session", many: false, levels: false },
  { type: "scp", label: "SCP", many: true, levels: true },
  { type: "rcp", label: "RCP", many: true, levels: true },
  { type: "endpoint", label: "VPC endpoint", many: true, levels: false },
];

export const typeOrder = (t: PolicyTypeName): number => TYPES.findIndex((x) => x.type === t);

/** Policies in the order the page lists them: by type, then level, then as given. */
export function sortPolicies<T extends { type: PolicyTypeName; level: number }>(list: T[]): T[] {
  return list
    .map((p, i) => ({ p, i }))
    .sort((a, b) => typeOrder(a.p.type) - typeOrder(b.p.type) || a.p.level - b.p.level || a.i - b.i)
    .map((x) => x.p);
}

const pretty = (v: unknown): string => JSON.stringify(v, null, 2);

/** A request document (policies inline) split into the request and one editor per policy. */
export function stateFromDocument(doc: Record<string, unknown>): State {
  const { policies, ...request } = doc as { policies?: Record<string, unknown> };
  const out: PolicyState[] = [];
  const p = policies ?? {};
  const add = (type: PolicyTypeName, v: unknown, level = 0) => out.push({ type, level, text: pretty(v) });
  for (const v of (p.identity as unknown[]) ?? []) add("identity", v);
  if (p.resource) add("resource", p.resource);
  if (p.permissionsBoundary) add("boundary", p.permissionsBoundary);
  if (p.session) add("session", p.session);
  ((p.scp as unknown[][]) ?? []).forEach((level, l) => level.forEach((v) => add("scp", v, l)));
  ((p.rcp as unknown[][]) ?? []).forEach((level, l) => level.forEach((v) => add("rcp", v, l)));
  for (const v of (p.vpcEndpoint as unknown[]) ?? []) add("endpoint", v);
  return { request: pretty(request), policies: out, clock: true };
}

// --- the URL fragment: "#s1." + base64url(deflate-raw(JSON)), or "#j1." + base64url(JSON)
// where CompressionStream is missing.

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const body = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

interface Wire {
  r: string;
  p: [PolicyTypeName, number, string][];
  c?: 0;
}

export async function encodeState(state: State): Promise<string> {
  const wire: Wire = { r: state.request, p: state.policies.map((p) => [p.type, p.level, p.text]) };
  if (!state.clock) wire.c = 0;
  const bytes = new TextEncoder().encode(JSON.stringify(wire));
  if (typeof CompressionStream === "function") {
    return "s1." + toBase64Url(await pipe(bytes, new CompressionStream("deflate-raw")));
  }
  return "j1." + toBase64Url(bytes);
}

const KNOWN = new Set(TYPES.map((t) => t.type));

/** The state in a fragment (without `#`), or null when it holds none. */
export async function decodeState(fragment: string): Promise<State | null> {
  try {
    let bytes: Uint8Array;
    if (fragment.startsWith("s1.")) {
      bytes = await pipe(fromBase64Url(fragment.slice(3)), new DecompressionStream("deflate-raw"));
    } else if (fragment.startsWith("j1.")) {
      bytes = fromBase64Url(fragment.slice(3));
    } else {
      return null;
    }
    const wire = JSON.parse(new TextDecoder().decode(bytes)) as Wire;
    if (typeof wire.r !== "string" || !Array.isArray(wire.p)) return null;
    const policies: PolicyState[] = [];
    for (const [type, level, text] of wire.p) {
      if (KNOWN.has(type) && typeof text === "string") {
        policies.push({ type, level: Math.max(0, Math.min(15, Math.trunc(Number(level)) || 0)), text });
      }
    }
    return { request: wire.r, policies, clock: wire.c !== 0 };
  } catch {
    return null;
  }
}
