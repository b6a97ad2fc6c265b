import type { Role } from "@/db/schema";
import { isUuid } from "@/lib/ids";
import type { RecordView } from "@/lib/records/record-view";
import { etagFor, type IfMatch, parseIfMatch } from "./etag";
import { apiRoute, fail, type RouteContext } from "./route";

/** The path parameters that are ids: `id` and anything named `…Id` (`reservationId`). */
function pathIds(params: object): unknown[] {
  return Object.entries(params).flatMap(([key, value]) => (key === "id" || key.endsWith("Id") ? [value] : []));
}

/**
 * `apiRoute` for the paths under /api/records/:id. The ids in the path are checked here, once,
 * where they enter: one that is not a uuid names nothing (404 not_found, after authentication),
 * and the domain functions below trust the ids they are given.
 */
export function recordRoute<P extends { id: string }>(
  role: Role,
  handler: (context: RouteContext<P>) => Promise<Response>,
) {
  return apiRoute<P>(role, async (context) =>
    pathIds(context.params).every((id) => typeof id === "string" && isUuid(id))
      ? handler(context)
      : fail({ code: "not_found" }),
  );
}

export function recordResponse(
  record: RecordView,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return Response.json(record, {
    status: init.status ?? 200,
    headers: { ETag: etagFor(record.version), "Cache-Control": "private, no-cache", ...init.headers },
  });
}

/**
 * The version a write is based on, from If-Match. Absent or `*` is refused (428): a write
 * must name what it saw. Tags that name no version (weak ones) can never match, so they
 * become version 0, which fails the compare-and-set and answers 412 with the current state.
 * A list of tags matches if any names the current version (RFC 9110 §13.1.1), so with more
 * than one the current version is looked up; the compare-and-set still decides the race.
 */
export async function baseVersionFrom(
  request: Request,
  currentVersion: () => Promise<number | null>,
): Promise<{ ok: true; version: number } | { ok: false; response: Response }> {
  const parsed: IfMatch | null = parseIfMatch(request.headers.get("if-match"));
  if (parsed === null) {
    return {
      ok: false,
      response: fail({ code: "bad_request", message: 'If-Match must be an entity tag such as "3".' }),
    };
  }
  if (parsed.kind !== "versions") {
    return {
      ok: false,
      response: fail({
        code: "precondition_required",
        message: 'Send If-Match with the ETag you last read (e.g. If-Match: "3"); "*" is not accepted.',
      }),
    };
  }
  const [only, ...more] = parsed.versions;
  if (only === undefined) return { ok: true, version: 0 };
  if (more.length === 0) return { ok: true, version: only };
  const current = await currentVersion();
  return {
    ok: true,
    version: current !== null && parsed.versions.includes(current) ? current : Math.max(...parsed.versions),
  };
}
