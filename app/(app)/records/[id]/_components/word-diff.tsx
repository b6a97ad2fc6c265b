"use client";

import { wordDiff } from "@/lib/records/word-diff";

/**
 * `to` against `from`: removed words struck through, added words underlined, each run of
 * changes as one deletion then one insertion; a mostly rewritten text as two lines.
 */
export function WordDiff({ from, to }: { from: string; to: string }) {
  const view = wordDiff(from, to);
  if (view.mode === "replaced") {
    return (
      <span className="word-diff replaced">
        <del>{view.from}</del>
        <ins>{view.to}</ins>
      </span>
    );
  }
  return (
    <span className="word-diff">
      {view.segments.map((segment, i) => {
        const Tag = segment.kind === "added" ? "ins" : segment.kind === "removed" ? "del" : "span";
        // A deletion directly followed by its insertion: a space between, so the words never run together.
        const gap = segment.kind === "removed" && view.segments[i + 1]?.kind === "added" ? " " : null;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments have no identity but their order
          <span key={i}>
            <Tag>{segment.text}</Tag>
            {gap}
          </span>
        );
      })}
    </span>
  );
}
