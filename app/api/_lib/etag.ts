import { PG_INT_MAX } from "@/lib/pg-int";

/** Strong ETags made from a record's version: `"7"`. */
export function etagFor(version: number): string {
  return `"${version}"`;
}

export type IfMatch =
  | { kind: "missing" }
  | { kind: "any" }
  /** The versions named by strong tags; weak tags never match under If-Match. */
  | { kind: "versions"; versions: number[] };

const TAG = /\s*(W\/)?"([^"]*)"\s*(,|$)/y;

/** Parses an entity-tag list (RFC 9110 §8.8.3); null when the header is malformed. */
function parseTags(header: string): { weak: boolean; value: string }[] | null {
  const tags: { weak: boolean; value: string }[] = [];
  TAG.lastIndex = 0;
  while (TAG.lastIndex < header.length) {
    const match = TAG.exec(header);
    if (!match) return null;
    tags.push({ weak: Boolean(match[1]), value: match[2] ?? "" });
    if (match[3] === "") break;
  }
  return tags.length > 0 ? tags : null;
}

/** Versions are PostgreSQL integers: a larger number names no version (and must never reach SQL). */
const MAX_VERSION = PG_INT_MAX;

function versionOf(value: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(value)) return null;
  const version = Number(value);
  return version <= MAX_VERSION ? version : null;
}

export function parseIfMatch(header: string | null): IfMatch | null {
  if (header === null || header.trim() === "") return { kind: "missing" };
  if (header.trim() === "*") return { kind: "any" };
  const tags = parseTags(header);
  if (!tags) return null;
  const versions = tags.filter((t) => !t.weak).flatMap((t) => versionOf(t.value) ?? []);
  return { kind: "versions", versions };
}

/** If-None-Match uses the weak comparison: `W/"7"` matches version 7 too. */
export function ifNoneMatchHits(header: string | null, version: number): boolean {
  if (header === null) return false;
  if (header.trim() === "*") return true;
  const tags = parseTags(header);
  return tags?.some((t) => versionOf(t.value) === version) ?? false;
}
