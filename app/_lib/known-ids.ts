import { isUuid } from "@/lib/ids";

/**
 * Ids enter server actions here: one that is not a uuid names nothing, so the action answers
 * not_found without asking the domain, whose functions trust the ids they are given (the HTTP
 * API checks its path ids the same way: `recordRoute` in app/api/_lib/records.ts).
 */
export function unknownId(...ids: readonly string[]): { ok: false; error: { code: "not_found" } } | null {
  return ids.every(isUuid) ? null : { ok: false, error: { code: "not_found" } };
}
