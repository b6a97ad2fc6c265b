import type { CollectionDetail } from "@/lib/collections";
import type { ImpactItem } from "@/lib/collections/impact";
import type { EntityRevisionView } from "@/lib/entity-revisions";
import type { KnownError } from "@/lib/errors";
import type { LockedError } from "@/lib/leases/lease-view";
import type { RecordView, RevisionView } from "@/lib/records/record-view";
import { insufficientCapacityMessage } from "@/lib/reservations/seats";
import { publicUser, type UserRevisionView, type UserView } from "@/lib/users/user-view";
import { boundFields } from "@/lib/zod-fields";

/**
 * The one place where domain outcomes become HTTP answers. Every error body is
 * `{ error: "<code>", message: "…", …details }`, and never carries raw error text. The codes
 * are the shared vocabulary of `lib/errors.ts` (a code outside it fails the type check).
 */
type Coded<T extends KnownError> = T;

export type ApiError = Coded<
  | { code: "unauthenticated" }
  | { code: "forbidden"; message?: string }
  | { code: "not_found"; deleted?: { at: string; by: { id: string; name: string } }; message?: string }
  | { code: "conflict"; current: RecordView; changes: RevisionView[] }
  /** A stale write to a versioned thing other than a record (a view, …): its current state and what changed since. */
  | { code: "version_mismatch"; current: { version: number }; changes: unknown[]; message?: string }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "user_conflict"; current: UserView; changes: UserRevisionView[] }
  | { code: "email_taken"; message: string }
  | { code: "last_admin"; message: string }
  | { code: "idempotency_mismatch" }
  | { code: "slug_taken"; slug: string }
  | { code: "schema_conflict"; current: CollectionDetail; changes: EntityRevisionView[] }
  | { code: "schema_impact"; impact: ImpactItem[] }
  | LockedError
  | { code: "not_leased"; message: string }
  | { code: "not_deleted"; message: string }
  | { code: "insufficient_capacity"; remaining: number }
  | { code: "malformed_json" }
  | { code: "too_large"; limitBytes: number }
  | { code: "bad_query"; message: string }
  | { code: "bad_request"; message: string }
  | { code: "invalid_file"; message: string; columns?: string[]; headers?: string[]; line?: number }
  | { code: "precondition_required"; message: string }
  | { code: "invalid_credentials" }
  | { code: "rate_limited"; retryAfterSeconds: number }
  | { code: "too_many_streams"; limit: number; retryAfterSeconds: number }
  | { code: "method_not_allowed"; allow: string[] }
  | { code: "unavailable" }
  | { code: "internal" }
>;

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** A collection as the API shows it (DESIGN.md, "Collections (schema)"). */
export function collectionJson(c: CollectionDetail) {
  return {
    slug: c.slug,
    name: c.name,
    editMode: c.editMode,
    capacityField: c.capacityField,
    fields: c.fields,
    removedFields: c.removedFields,
    version: c.version,
    updatedAt: c.updatedAt,
    updatedBy: c.updatedBy,
  };
}

export type ErrorResponse = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

export function errorResponse(error: ApiError): ErrorResponse {
  switch (error.code) {
    case "unauthenticated":
      return {
        status: 401,
        body: {
          error: "unauthenticated",
          message: "Sign in first: POST /api/session, or send Authorization: Bearer <token>.",
        },
      };
    case "forbidden":
      return { status: 403, body: { error: "forbidden", message: error.message ?? "You are not allowed to do this." } };
    case "not_found":
      return error.deleted
        ? {
            status: 404,
            body: {
              error: "not_found",
              message: `This record was deleted by ${error.deleted.by.name} at ${error.deleted.at}.`,
              deleted: error.deleted,
            },
          }
        : { status: 404, body: { error: "not_found", message: error.message ?? "No such record or collection." } };
    case "conflict":
      return {
        status: 412,
        body: {
          error: "version_mismatch",
          message: `The record is at version ${error.current.version}, changed since the version you sent. Merge the changes and send the new ETag.`,
          current: error.current,
          changes: error.changes,
        },
        headers: { ETag: `"${error.current.version}"` },
      };
    case "version_mismatch":
      return {
        status: 412,
        body: {
          error: "version_mismatch",
          message:
            error.message ??
            `It is at version ${error.current.version}, changed since the version you sent. Look at the changes and send the new ETag.`,
          current: error.current,
          changes: error.changes,
        },
        headers: { ETag: `"${error.current.version}"` },
      };
    case "slug_taken":
      return {
        status: 409,
        body: { error: "slug_taken", message: `A collection with the slug '${error.slug}' already exists.` },
      };
    case "schema_conflict":
      return {
        status: 412,
        body: {
          error: "version_mismatch",
          message: `The collection's schema is at version ${error.current.version}, changed since the version you sent. Merge the changes and send the new ETag.`,
          current: collectionJson(error.current),
          changes: error.changes,
        },
        headers: { ETag: `"${error.current.version}"` },
      };
    case "user_conflict":
      return {
        status: 412,
        body: {
          error: "version_mismatch",
          message: `${error.current.name} is at version ${error.current.version}, changed since the version you sent. Look at the changes and try again.`,
          current: publicUser(error.current),
          changes: error.changes,
        },
        headers: { ETag: `"${error.current.version}"` },
      };
    case "schema_impact":
      return {
        status: 409,
        body: {
          error: "schema_impact",
          message: `${error.impact.map((i) => i.message).join(" ")} Send the change again with ?accept_impact=1 to apply it.`,
          impact: error.impact.map(({ field, problem, records, examples }) => ({ field, problem, records, examples })),
        },
      };
    case "email_taken":
    case "last_admin":
      return { status: 409, body: { error: error.code, message: error.message } };
    case "invalid": {
      // Bounded: a body with thousands of unknown keys must not draw an even bigger answer.
      const fields = boundFields(error.fields);
      return {
        status: 422,
        body: {
          error: "invalid",
          message: Object.entries(fields)
            .map(([key, msg]) => `${key}: ${msg}`)
            .join("; "),
          fields,
        },
      };
    }
    case "idempotency_mismatch":
      return {
        status: 422,
        body: {
          error: "idempotency_mismatch",
          message: "This Idempotency-Key was already used for a different request.",
        },
      };
    case "insufficient_capacity":
      return {
        status: 409,
        body: {
          error: "insufficient_capacity",
          message: insufficientCapacityMessage(error.remaining),
          remaining: error.remaining,
        },
      };
    case "locked":
      // 423 Locked (RFC 4918): someone else holds the record's edit lease, or the caller holds none.
      return {
        status: 423,
        body: {
          error: "locked",
          message: error.message,
          holder: error.holder,
          acquiredAt: error.acquiredAt,
          renewedAt: error.renewedAt,
          expiresAt: error.expiresAt,
          expired: error.expired,
        },
      };
    case "not_leased":
      return { status: 409, body: { error: "not_leased", message: error.message } };
    case "not_deleted":
      return { status: 409, body: { error: "not_deleted", message: error.message } };
    case "malformed_json":
      return { status: 400, body: { error: "malformed_json", message: "The request body is not valid JSON." } };
    case "too_large":
      return {
        status: 413,
        body: {
          error: "too_large",
          message: `The request body is larger than the ${formatBytes(error.limitBytes)} the API accepts.`,
        },
      };
    case "bad_query":
      return { status: 400, body: { error: "bad_query", message: error.message } };
    case "bad_request":
      return { status: 400, body: { error: "bad_request", message: error.message } };
    case "invalid_file":
      // An import refused as a whole (not CSV, wrong encoding, unknown columns, too large): nothing written.
      return {
        status: 422,
        body: {
          error: "invalid_file",
          message: error.message,
          ...(error.columns ? { columns: error.columns } : {}),
          ...(error.headers ? { headers: error.headers } : {}),
          ...(error.line !== undefined ? { line: error.line } : {}),
        },
      };
    case "precondition_required":
      return { status: 428, body: { error: "precondition_required", message: error.message } };
    case "invalid_credentials":
      return { status: 401, body: { error: "invalid_credentials", message: "Wrong email or password." } };
    case "rate_limited":
      return {
        status: 429,
        body: {
          error: "rate_limited",
          message: `Too many failed sign-ins. Try again in ${Math.ceil(error.retryAfterSeconds / 60)} minutes.`,
        },
        headers: { "Retry-After": String(error.retryAfterSeconds) },
      };
    case "too_many_streams":
      return {
        status: 429,
        body: {
          error: "too_many_streams",
          message: `You have ${error.limit} event streams open already (the most one person may have): close a tab first.`,
          limit: error.limit,
        },
        headers: { "Retry-After": String(error.retryAfterSeconds) },
      };
    case "method_not_allowed":
      return {
        status: 405,
        body: { error: "method_not_allowed", message: `Use ${error.allow.join(", ")} here.` },
        headers: { Allow: error.allow.join(", ") },
      };
    case "unavailable":
      return {
        status: 503,
        body: { error: "unavailable", message: "The database is busy or unreachable right now. Try again shortly." },
        headers: { "Retry-After": "2" },
      };
    case "internal":
      return {
        status: 500,
        body: { error: "internal", message: "Something went wrong on our side; it has been logged. Try again." },
      };
  }
}
