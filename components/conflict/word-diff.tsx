"use client";

import { diffWordsWithSpace } from "diff";

/** `to`, with the words that differ from `from` highlighted (and removed words struck through). */
export function WordDiff({ from, to }: { from: string; to: string }) {
  const parts = diffWordsWithSpace(from, to);
  return (
    <span className="word-diff">
      {parts.map((part, i) =>
        part.added ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts have no identity but their order
          <ins key={i}>{part.value}</ins>
        ) : part.removed ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts have no identity but their order
          <del key={i}>{part.value}</del>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts have no identity but their order
          <span key={i}>{part.value}</span>
        ),
      )}
    </span>
  );
}
