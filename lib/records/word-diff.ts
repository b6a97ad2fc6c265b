import { diffWordsWithSpace } from "diff";

/**
 * What a changed text shows next to what it started from, for people to read: each run of
 * changed words becomes one deletion followed by one insertion (never interleaved word by
 * word, which reads as "AddBob atitle …"), and a text that was mostly rewritten is shown as
 * the old sentence struck through above the new one.
 */
export type DiffSegment = { kind: "same" | "removed" | "added"; text: string };
export type WordDiffView = { mode: "inline"; segments: DiffSegment[] } | { mode: "replaced"; from: string; to: string };

/** Below this share of unchanged words the inline view is harder to read than two lines. */
const MIN_SHARED = 0.5;

const isSpace = (text: string) => /^\s*$/.test(text);
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

export function wordDiff(from: string, to: string): WordDiffView {
  const parts = diffWordsWithSpace(from, to);
  const shared = parts.filter((p) => !p.added && !p.removed).reduce((n, p) => n + words(p.value), 0);
  const longest = Math.max(words(from), words(to));
  if (from !== "" && to !== "" && longest > 0 && shared / longest < MIN_SHARED) return { mode: "replaced", from, to };

  const segments: DiffSegment[] = [];
  let removed = "";
  let added = "";
  const flush = () => {
    if (removed) segments.push({ kind: "removed", text: removed });
    if (added) segments.push({ kind: "added", text: added });
    removed = "";
    added = "";
  };
  parts.forEach((part, i) => {
    if (part.removed) removed += part.value;
    else if (part.added) added += part.value;
    else {
      const next = parts[i + 1];
      // A space between two changes belongs to the change on both sides: one run, not two.
      if ((removed || added) && isSpace(part.value) && (next?.added || next?.removed)) {
        removed += removed ? part.value : "";
        added += added ? part.value : "";
        return;
      }
      flush();
      segments.push({ kind: "same", text: part.value });
    }
  });
  flush();
  return { mode: "inline", segments };
}
