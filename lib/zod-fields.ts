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
