import type { UserRef } from "@/lib/records/record-view";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The people a comment mentions: `@` then a person's whole name (case-insensitive), at the start
 * or after a non-word character, and not running on into a longer word (`@Al` is not `@Alice`).
 * Longer names first, so `@Ann Lee` is Ann Lee even when someone is called Ann. Each person once.
 */
export function mentionedPeople(body: string, people: readonly UserRef[]): UserRef[] {
  const found: UserRef[] = [];
  let rest = body;
  for (const person of [...people].sort((a, b) => b.name.length - a.name.length)) {
    if (person.name.trim() === "") continue;
    const pattern = new RegExp(`(^|[^\\p{L}\\p{N}_])@${escapeRegExp(person.name)}(?![\\p{L}\\p{N}_])`, "iu");
    const match = pattern.exec(rest);
    if (!match) continue;
    found.push(person);
    // Blank the mention out, so a shorter name cannot match inside it too.
    rest = rest.slice(0, match.index) + " ".repeat(match[0].length) + rest.slice(match.index + match[0].length);
  }
  return found;
}

/** The part of `text` up to the caret that is an unfinished mention (`@Bo`), if any. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|[^\p{L}\p{N}_])@([\p{L}\p{N}_.' -]{0,40})$/u.exec(before);
  if (!match) return null;
  const query = match[2] ?? "";
  if (query.includes("  ")) return null;
  return { start: caret - query.length - 1, query };
}

export type TextPart = { kind: "text"; text: string } | { kind: "link"; href: string; text: string };

/**
 * Splits plain text into text and http(s) links, so the UI can render links as anchors and
 * everything else as text (React escapes it). No other scheme ever becomes a link.
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const pattern = /\bhttps?:\/\/[^\s<>"']+/giu;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    let url = match[0];
    // Trailing punctuation usually ends the sentence, not the URL.
    url = url.replace(/[.,;:!?)\]]+$/u, "");
    const start = match.index ?? 0;
    if (start > last) parts.push({ kind: "text", text: text.slice(last, start) });
    let href: string | null = null;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === "http:" || parsed.protocol === "https:") href = parsed.href;
    } catch {
      href = null;
    }
    parts.push(href ? { kind: "link", href, text: url } : { kind: "text", text: url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  return parts;
}
