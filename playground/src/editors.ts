// CodeMirror 6 editors: JSON, lint squiggles from policy-wasm's diagnostics, and the
// deciding statements and near misses of the last answer highlighted.

import { json } from "@codemirror/lang-json";
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { EditorState, StateEffect, StateField, type Range } from "@codemirror/state";
import { Decoration, EditorView, type DecorationSet } from "@codemirror/view";
import { basicSetup } from "codemirror";
import type { Diagnostic } from "policy-wasm";

export interface Highlight {
  from: number;
  to: number;
  kind: "allow" | "deny" | "miss";
  title: string;
}

const setHighlights = StateEffect.define<Highlight[]>();

function decorations(state: EditorState, list: Highlight[]): DecorationSet {
  const len = state.doc.length;
  const ranges: Range<Decoration>[] = [];
  for (const h of list) {
    const from = Math.max(0, Math.min(h.from, len));
    const to = Math.max(from, Math.min(h.to, len));
    if (h.kind === "miss") {
      const end = state.doc.lineAt(from).to;
      if (end > from) {
        ranges.push(Decoration.mark({ class: "cm-nearmiss", attributes: { title: h.title } }).range(from, end));
      }
      continue;
    }
    const first = state.doc.lineAt(from).number;
    const last = state.doc.lineAt(to).number;
    for (let n = first; n <= last; n++) {
      const cls = `cm-deciding cm-deciding-${h.kind}` + (n === first ? " cm-deciding-first" : "");
      ranges.push(Decoration.line({ class: cls, attributes: { title: h.title } }).range(state.doc.line(n).from));
    }
  }
  return Decoration.set(ranges, true);
}

const highlightField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    let next = deco.map(tr.changes);
    for (const e of tr.effects) if (e.is(setHighlights)) next = decorations(tr.state, e.value);
    return next;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const theme = EditorView.theme({
  "&": { fontSize: "12.5px" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
});

/** An editor in `parent` that calls `onChange` after every edit. */
export function createEditor(parent: HTMLElement, text: string, onChange: () => void): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        basicSetup,
        json(),
        lintGutter(),
        highlightField,
        theme,
        EditorView.updateListener.of((u) => {
          if (!u.docChanged) return;
          let first = firstChange.get(u.view) ?? Infinity;
          u.changes.iterChangedRanges((fromA) => (first = Math.min(first, fromA)));
          firstChange.set(u.view, first);
          onChange();
        }),
      ],
    }),
  });
}

/** Per editor: what was last shown and its last position, so an unchanged answer
 * costs no redraw; and the first position edited since. */
const shown = new WeakMap<EditorView, { key: string; end: number }>();
const firstChange = new WeakMap<EditorView, number>();

/** Shows `diagnostics` as squiggles and `highlights` as marked lines. */
export function showResults(view: EditorView, diagnostics: Diagnostic[], highlights: Highlight[]): void {
  const key = JSON.stringify([diagnostics, highlights]);
  const last = shown.get(view);
  const edited = firstChange.get(view) ?? Infinity;
  firstChange.set(view, Infinity);
  // The same marks, and every edit since after them (so they did not move): nothing to do.
  if (last && last.key === key && edited > last.end) return;
  let end = 0;
  for (const d of diagnostics) end = Math.max(end, d.utf16End);
  for (const h of highlights) end = Math.max(end, h.to);
  shown.set(view, { key, end });
  const len = view.state.doc.length;
  const cm: CmDiagnostic[] = diagnostics.map((d) => {
    const from = Math.max(0, Math.min(d.utf16Start, len));
    return {
      from,
      to: Math.max(from, Math.min(d.utf16End, len)),
      severity: d.severity === "error" ? "error" : "warning",
      source: d.code,
      message: d.message + (d.path ? ` (at ${d.path})` : "") + (d.help ? `\nhelp: ${d.help}` : ""),
    };
  });
  const spec = setDiagnostics(view.state, cm);
  const effects = ([] as StateEffect<unknown>[]).concat(spec.effects ?? []);
  effects.push(setHighlights.of(highlights));
  view.dispatch({ effects });
}
