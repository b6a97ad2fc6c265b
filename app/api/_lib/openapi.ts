import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponseObject } from "zod-openapi";
import { recordInputSchema } from "@/lib/fields";

/**
 * The API's OpenAPI 3.1 description, built (by zod-openapi, from zod's own JSON Schema output)
 * from the zod schemas the routes validate with. Each route file calls `registerRoute(...)`
 * beside its schemas, and `openapi-routes.ts` imports every route file, so that
 * `GET /api/openapi.json` sees them all. tests/integration/openapi-contract.test.ts checks real
 * answers of every route against this document, so the two cannot drift apart.
 */

export type Method = "get" | "post" | "patch" | "put" | "delete";
type Header = "If-Match" | "If-None-Match" | "Idempotency-Key";
type ResponseHeader = "ETag" | "Location" | "Retry-After" | "Allow";

export type RouteDoc = {
  method: Method;
  /** OpenAPI path, e.g. `/api/records/{id}`. */
  path: string;
  summary: string;
  /** The least role that may call it; `public` needs no session. */
  role: "public" | "viewer" | "editor" | "admin";
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Request headers the route reads. */
  headers?: Header[];
  /**
   * Success answers: status → body schema (none for 204/304) and headers. `type` names the
   * media type of `schema` (JSON by default); `content` lists several, media type → schema.
   */
  responses: Record<
    number,
    {
      description: string;
      schema?: z.ZodType;
      headers?: ResponseHeader[];
      type?: string;
      content?: Record<string, z.ZodType>;
    }
  >;
  /** Error statuses beyond the ones every route of its kind can answer (401, 403, 503; 400/413/422 with a body). */
  errors?: number[];
  /** What a 412 carries as `current` (a record unless said otherwise). */
  conflict?: z.ZodType;
};

/** `{error, message, …}`: every error answer; the codes per status are in the descriptions. */
export const errorBody = z
  .looseObject({ error: z.string(), message: z.string() })
  .meta({ id: "Error", description: "Every error answer: a code, a message for people, and details." });

export const userRef = z.object({ id: z.string(), name: z.string() }).meta({ id: "UserRef" });

export const recordSchema = z
  .object({
    id: z.string(),
    collection: z.string(),
    version: z.number().int(),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    createdBy: userRef,
    updatedAt: z.string(),
    updatedBy: userRef,
  })
  .meta({ id: "Record" });

export const revisionSchema = z
  .object({
    version: z.number().int(),
    action: z.string(),
    user: userRef,
    at: z.string(),
    changes: z.record(z.string(), z.unknown()),
    batchId: z.string().nullable().optional(),
    revertedFrom: z.number().int().nullable().optional(),
  })
  .meta({ id: "Revision" });

export const leaseSchema = z
  .object({
    recordId: z.string(),
    holder: userRef,
    acquiredAt: z.string(),
    renewedAt: z.string(),
    expiresAt: z.string(),
    expired: z.boolean(),
    serverNow: z.string(),
  })
  .meta({ id: "Lease" });

export const reservationSchema = z
  .object({
    id: z.string(),
    seats: z.number().int(),
    user: userRef,
    at: z.string(),
    cancelledAt: z.string().nullable(),
    cancelledBy: userRef.nullable(),
  })
  .meta({ id: "Reservation" });

const changesSchema = z.record(z.string(), z.unknown());

/** A person as the API shows them (DESIGN.md, "People and tokens"). */
export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(["viewer", "editor", "admin"]),
    active: z.boolean(),
    version: z.number().int(),
    createdAt: z.string(),
    lastSeenAt: z.string().nullable(),
  })
  .meta({ id: "User" });

const fieldSchema = z.looseObject({ key: z.string(), label: z.string(), type: z.string() }).meta({ id: "Field" });

/** A collection's schema (DESIGN.md, "Collections (schema)"). */
export const collectionSchema = z
  .object({
    slug: z.string(),
    name: z.string(),
    editMode: z.enum(["optimistic", "lease"]),
    capacityField: z.string().nullable(),
    fields: z.array(fieldSchema),
    removedFields: z.array(fieldSchema),
    version: z.number().int(),
    updatedAt: z.string(),
    updatedBy: userRef.nullable(),
  })
  .meta({ id: "Collection" });

/** A saved view of a collection's list. */
export const viewSchema = z
  .object({
    id: z.string(),
    collection: z.string(),
    name: z.string(),
    shared: z.boolean(),
    filter: z.record(z.string(), z.unknown()),
    sort: z.string().nullable(),
    dir: z.enum(["asc", "desc"]).nullable(),
    columns: z.array(z.string()).nullable(),
    version: z.number().int(),
    owner: userRef,
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: userRef,
  })
  .meta({ id: "View" });

/** A comment on a record. */
export const commentSchema = z
  .object({
    id: z.string(),
    recordId: z.string(),
    body: z.string(),
    version: z.number().int(),
    author: userRef,
    createdAt: z.string(),
    updatedAt: z.string(),
    edited: z.boolean(),
    mentions: z.array(userRef),
  })
  .meta({ id: "Comment" });

const batchItemResult = z
  .object({
    line: z.number().int().optional(),
    id: z.string().optional(),
    status: z.string(),
    version: z.number().int().optional(),
    fields: z.record(z.string(), z.string()).optional(),
    conflicts: z.array(z.looseObject({})).optional(),
    holder: userRef.optional(),
  })
  .meta({ id: "BatchItemResult" });

/** What a bulk edit, an import or an undo did: one result per item, and the counts per status. */
export const batchOutcomeSchema = z
  .object({
    batchId: z.string().nullable(),
    summary: z.record(z.string(), z.number().int()),
    results: z.array(batchItemResult),
  })
  .meta({ id: "BatchOutcome" });

export const batchSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    collection: z.string(),
    user: userRef,
    at: z.string(),
    summary: z.record(z.string(), z.number().int()),
    results: z.array(batchItemResult),
    undoneBy: z.string().nullable(),
  })
  .meta({ id: "Batch" });

/** An API token as listed: never the token itself. */
export const apiTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: z.enum(["read", "write"]),
    prefix: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    user: userRef,
  })
  .meta({ id: "ApiToken" });

export const activityItemSchema = z
  .object({
    recordId: z.string(),
    title: z.string(),
    collection: z.object({ slug: z.string(), name: z.string() }),
    version: z.number().int(),
    action: z.string(),
    user: userRef,
    at: z.string(),
    changes: changesSchema,
    batchId: z.string().nullable(),
    revertedFrom: z.number().int().nullable(),
  })
  .meta({ id: "ActivityItem" });

export const notificationSchema = z
  .looseObject({
    id: z.string(),
    kind: z.string(),
    at: z.string(),
    recordId: z.string().nullable(),
    message: z.string(),
    read: z.boolean(),
  })
  .meta({ id: "Notification" });

/** A signed-in session, as POST /api/session answers it. */
export const signedInSchema = z
  .object({
    user: z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      role: z.enum(["viewer", "editor", "admin"]),
    }),
    token: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: "SignedIn" });

/** The `current` of a 412 on a versioned thing other than a record or a schema (a view, a comment). */
export const versionedSchema = z.looseObject({ version: z.number().int() });

/** Path parameter of the collection routes. */
export const slugParams = z.object({ slug: z.string().meta({ description: "The collection's slug" }) });

const ERROR_SCHEMAS: Record<number, { description: string; schema: z.ZodType }> = {
  400: {
    description:
      "`malformed_json`, `bad_query` or `bad_request` (a malformed If-Match or Idempotency-Key, or text the database cannot store)",
    schema: errorBody,
  },
  401: { description: "`unauthenticated` (or `invalid_credentials` on sign-in)", schema: errorBody },
  403: {
    description: "`forbidden`: the role does not allow it, or a cookie write from another origin",
    schema: errorBody,
  },
  404: { description: "`not_found`", schema: errorBody },
  405: { description: "`method_not_allowed`", schema: errorBody },
  409: {
    description:
      "`insufficient_capacity` (with `remaining`), `not_leased`, `not_deleted`, `slug_taken`, `schema_impact` (with `impact`), `email_taken` or `last_admin`",
    schema: errorBody,
  },
  412: {
    description: "`version_mismatch`: stale If-Match; `current` is the record now, `changes` the revisions since",
    schema: errorBody
      .extend({ current: recordSchema, changes: z.array(revisionSchema) })
      .meta({ id: "VersionMismatch" }),
  },
  413: { description: "`too_large`: over 1 MiB", schema: errorBody },
  422: {
    description: "`invalid` naming each field (at most 50, plus `_more`), `idempotency_mismatch` or `invalid_file`",
    schema: errorBody.extend({ fields: z.record(z.string(), z.string()).optional() }).meta({ id: "Invalid" }),
  },
  423: {
    description: "`locked`: someone else holds the record's edit lease, or the caller holds none",
    schema: errorBody
      .extend({ holder: userRef.nullable(), expiresAt: z.string().nullable(), expired: z.boolean() })
      .meta({ id: "Locked" }),
  },
  428: { description: "`precondition_required`: If-Match is missing (or `*`)", schema: errorBody },
  429: { description: "`rate_limited` or `too_many_streams`, with Retry-After", schema: errorBody },
  503: { description: "`unavailable`: the database is busy or unreachable, with Retry-After", schema: errorBody },
};

const HEADER_SCHEMAS: Record<Header, { schema: z.ZodType; description: string }> = {
  "If-Match": { schema: z.string().max(200), description: 'The version the change is based on: the ETag, e.g. "3"' },
  "If-None-Match": { schema: z.string().max(200), description: "An ETag the client has: 304 when it is current" },
  "Idempotency-Key": {
    schema: z.string().regex(/^[\x21-\x7e]{1,200}$/),
    description: "1–200 visible ASCII characters: a repeat of an applied request returns the first answer",
  },
};

const RESPONSE_HEADERS: Record<ResponseHeader, z.ZodType> = {
  ETag: z.string().meta({ description: 'Strong ETag from the version, e.g. "3"' }),
  Location: z.string().meta({ description: "The new resource" }),
  "Retry-After": z.string().meta({ description: "Seconds to wait" }),
  Allow: z.string().meta({ description: "The methods allowed" }),
};

function responseHeaders(names: ResponseHeader[]) {
  return z.object(Object.fromEntries(names.map((name) => [name, RESPONSE_HEADERS[name]])));
}

/** A record's `data` as the routes validate it (lib/fields.ts checks each field against its collection). */
export const recordDataSchema = recordInputSchema.meta({
  override: {
    type: "object",
    additionalProperties: true,
    description: "Field values by field key: each checked against its collection's field definitions",
  },
});

/** Path parameters: any text (a malformed id is a 404, never a 400). */
export const idParams = z.object({ id: z.string().meta({ description: "A record id (UUID)" }) });

const routes = new Map<string, RouteDoc>();

/** Adds a route to the document (once per method and path; a module evaluated again replaces it). */
export function registerRoute(doc: RouteDoc): void {
  routes.set(`${doc.method} ${doc.path}`, doc);
}

export function registeredRoutes(): RouteDoc[] {
  return [...routes.values()];
}

/** The error statuses a route can answer: its own, and those of every route of its kind. */
export function errorStatuses(doc: RouteDoc): number[] {
  const statuses = new Set([...(doc.errors ?? []), 503]);
  const add = (...more: number[]) => {
    for (const status of more) statuses.add(status);
  };
  if (doc.role !== "public") add(401, 403);
  if (doc.body) add(400, 413, 422);
  if (doc.query) add(400);
  if (doc.headers?.includes("If-Match")) add(400, 412, 428);
  // A path parameter the database cannot store (a NUL) is a 400 `bad_request`.
  if (doc.params) add(400);
  if (doc.headers?.includes("Idempotency-Key")) add(400, 422);
  return [...statuses].sort();
}

function operation(doc: RouteDoc): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, response] of Object.entries(doc.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers ? { headers: responseHeaders(response.headers) } : {}),
      ...(response.schema || response.content
        ? {
            content: {
              ...(response.schema ? { [response.type ?? "application/json"]: { schema: response.schema } } : {}),
              ...Object.fromEntries(Object.entries(response.content ?? {}).map(([type, schema]) => [type, { schema }])),
            },
          }
        : {}),
    };
  }
  for (const status of errorStatuses(doc)) {
    const error =
      status === 412 && doc.conflict
        ? {
            description:
              "`version_mismatch`: stale If-Match; `current` is the thing now, `changes` the revisions since",
            schema: errorBody.extend({ current: doc.conflict, changes: z.array(z.looseObject({})) }),
          }
        : (ERROR_SCHEMAS[status] ?? { description: "Error", schema: errorBody });
    responses[String(status)] = {
      description: error.description,
      content: { "application/json": { schema: error.schema } },
      ...([429, 503].includes(status) ? { headers: responseHeaders(["Retry-After"]) } : {}),
    };
  }
  const headerSchemas = doc.headers?.length
    ? z.object(
        Object.fromEntries(
          doc.headers.map((h) => [
            h,
            (h === "If-Match" ? HEADER_SCHEMAS[h].schema : HEADER_SCHEMAS[h].schema.optional()).meta({
              description: HEADER_SCHEMAS[h].description,
            }),
          ]),
        ),
      )
    : undefined;
  return {
    summary: doc.summary,
    ...(doc.role === "public" ? { security: [] } : {}),
    description: doc.role === "public" ? "No session needed." : `Needs a session of role ${doc.role} or above.`,
    requestParams: {
      ...(doc.params ? { path: doc.params } : {}),
      ...(doc.query ? { query: doc.query } : {}),
      ...(headerSchemas ? { header: headerSchemas } : {}),
    },
    ...(doc.body ? { requestBody: { content: { "application/json": { schema: doc.body } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of every registered route. */
export function openApiDocument(): ReturnType<typeof createDocument> {
  const paths: Record<string, Partial<Record<Method, ZodOpenApiOperationObject>>> = {};
  for (const doc of [...routes.values()].sort((a, b) => a.path.localeCompare(b.path))) {
    paths[doc.path] = { ...paths[doc.path], [doc.method]: operation(doc) };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Tandem API",
      version: "1",
      description:
        "JSON in and out; errors are `{error, message, …}`. Versioned resources carry a strong ETag; writes to them need If-Match.",
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "The `token` from POST /api/session" },
        cookie: { type: "apiKey", in: "cookie", name: "tandem_session" },
      },
    },
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
  });
}
