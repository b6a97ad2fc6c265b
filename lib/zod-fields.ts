import type { z } from "zod";

/**
 * Every issue of a failed parse, keyed by field path: all errors, not just the first. A plain
 * object built from entries, so a `__proto__` path is an ordinary key and the result can
 * cross a server action (see `validateRecord`).
 */
export function zodFields(error: z.ZodError): Record<string, string> {
  const fields = new Map<string, string>();
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) fields.set([...issue.path, key].join("."), "Unknown field");
      continue;
    }
    const key = issue.path.length > 0 ? issue.path.join(".") : "_";
    if (!fields.has(key)) fields.set(key, issue.message);
  }
  return Object.fromEntries(fields);
}

/** How many fields a 422 names, and how long each name and message may be in the answer. */
export const MAX_ECHOED_FIELDS = 50;
const MAX_ECHOED_KEY = 100;
const MAX_ECHOED_MESSAGE = 300;

function shorten(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/**
 * The fields a 422 answer echoes: the first MAX_ECHOED_FIELDS, names and messages shortened,
 * and `_more` saying how many were left out, so a body with thousands of unknown keys cannot
 * draw an answer bigger than itself.
 */
export function boundFields(fields: Record<string, string>): Record<string, string> {
  const entries = Object.entries(fields);
  // Built from entries (own properties): a `__proto__` key names itself, and the object is plain.
  const bounded = entries
    .slice(0, MAX_ECHOED_FIELDS)
    .map(([key, message]): [string, string] => [shorten(key, MAX_ECHOED_KEY), shorten(message, MAX_ECHOED_MESSAGE)]);
  if (entries.length > MAX_ECHOED_FIELDS) {
    bounded.push(["_more", `${entries.length - MAX_ECHOED_FIELDS} more fields are not shown`]);
  }
  return Object.fromEntries(bounded);
}
