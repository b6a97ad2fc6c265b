import "server-only";
import type { z } from "zod";
import { type Db, getDb } from "@/db/client";
import type { Role } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { isOwnOrigin } from "@/lib/auth/request-origin";
import { SESSION_COOKIE } from "@/lib/auth/sessions";
import { errorCode, findCause, isDatabaseUnavailable } from "@/lib/database-errors";
import { isStorableText } from "@/lib/storable-text";
import { zodFields } from "@/lib/zod-fields";
import { type ApiError, errorResponse } from "./http-errors";

export function fail(error: ApiError): Response {
  const { status, body, headers } = errorResponse(error);
  return Response.json(body, { status, headers });
}

/** A cookie's value; null when it is absent or not validly percent-encoded (`%E0`): clients send anything. */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join("="));
    } catch {
      return null;
    }
  }
  return null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Browsers send Origin on every cross-site write; a cookie-authenticated write from another
 * origin is refused. The whole origin counts (scheme, host and port), compared with the app's
 * own (lib/auth/request-origin.ts: APP_ORIGIN, or the Host, and X-Forwarded-* only from a
 * trusted proxy). Scripts without a browser authenticate with a Bearer token instead.
 */
export function isCrossOrigin(request: Request): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const origin = request.headers.get("origin");
  if (origin === null) return request.headers.get("sec-fetch-site") === "cross-site";
  return !isOwnOrigin(origin, request.headers);
}

export type RouteContext<P> = {
  request: Request;
  db: Db;
  actor: Actor;
  params: P;
  /** The session or API token the request authenticated with (an event stream re-checks it). */
  token: string;
};

type Handler<P> = (context: RouteContext<P>) => Promise<Response>;

export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

/** SQLSTATEs for text PostgreSQL cannot store (a NUL character, in text or in JSON): bad input, not our failure. */
const UNSTORABLE_TEXT = new Set(["22021", "22P05"]);

function isUnstorableText(error: unknown): boolean {
  return findCause(error, (e) => UNSTORABLE_TEXT.has(errorCode(e) ?? "")) !== undefined;
}

/**
 * Turns any thrown failure into a clean answer: 503 when the database is down, 400 for text
 * it cannot store (every query parameter and path segment reaches SQL), else a logged 500.
 */
export async function guarded(request: Request, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      // One line, no stack: which request met a deadlock, a conflict or an unreachable database.
      const code = findCause(error, (e) => errorCode(e) !== undefined);
      console.warn(`[api] ${request.method} ${new URL(request.url).pathname} answered 503 (${errorCode(code) ?? "?"})`);
      return fail({ code: "unavailable" });
    }
    if (isUnstorableText(error)) {
      return fail({ code: "bad_request", message: "The request contains characters that cannot be stored (NUL)." });
    }
    console.error(`[api] ${request.method} ${new URL(request.url).pathname} failed:`, error);
    return fail({ code: "internal" });
  }
}

/**
 * Every API route goes through here: it authenticates (session cookie or Bearer token),
 * refuses cross-origin cookie writes, checks the role through the one `authorize` helper,
 * and maps unexpected failures to 503/500 without leaking their text.
 */
export function apiRoute<P = Record<string, never>>(role: Role, handler: Handler<P>) {
  return (request: Request, context: { params: Promise<P> }): Promise<Response> =>
    guarded(request, async () => {
      const bearer = bearerToken(request);
      const token = bearer ?? readCookie(request, SESSION_COOKIE);
      if (!bearer && token && isCrossOrigin(request)) {
        return fail({ code: "forbidden", message: "Cross-origin requests with a session cookie are refused." });
      }
      const db = await getDb();
      const auth = await authorize(db, token, role, { write: !SAFE_METHODS.has(request.method) });
      if (!auth.ok || !token) return fail(auth.ok ? { code: "unauthenticated" } : auth.error);
      return handler({ request, db, actor: auth.actor, params: await context.params, token });
    });
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/** The largest request body the API reads: far above any record (50,000-character long texts). */
export const MAX_BODY_BYTES = 1024 * 1024;

class BodyTooLarge extends Error {}

/**
 * The body as text, refusing more than MAX_BODY_BYTES: by its Content-Length before reading,
 * and while reading (a chunked body has none, and a client may understate it).
 */
async function readBodyText(request: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Reads and validates a JSON body: 413 when it is over 1 MiB (or `maxBytes`), 400 when it is not JSON, 422
 * naming every bad field. With `whenEmpty`, a blank body stands for that value (an optional body).
 */
export async function readJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  options: { whenEmpty?: z.input<S>; maxBytes?: number } = {},
): Promise<Parsed<z.infer<S>>> {
  let raw: unknown;
  const limit = options.maxBytes ?? MAX_BODY_BYTES;
  try {
    const text = await readBodyText(request, limit);
    raw = options.whenEmpty !== undefined && text.trim() === "" ? options.whenEmpty : JSON.parse(text);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      return { ok: false, response: fail({ code: "too_large", limitBytes: limit }) };
    }
    return { ok: false, response: fail({ code: "malformed_json" }) };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, response: fail({ code: "invalid", fields: zodFields(parsed.error) }) };
}

/**
 * Reads and validates the query string: 400 `bad_query` naming every problem, including a
 * parameter given more than once (which of the values would count is anyone's guess).
 */
export function readQuery<S extends z.ZodType>(request: Request, schema: S): Parsed<z.infer<S>> {
  const params = new URL(request.url).searchParams;
  const repeated = [...new Set(params.keys())].filter((key) => params.getAll(key).length > 1);
  const unstorable = [...params.entries()].filter(([key, value]) => !isStorableText(key) || !isStorableText(value));
  if (unstorable.length > 0) {
    return { ok: false, response: fail({ code: "bad_query", message: "The query contains a NUL character." }) };
  }
  const parsed = schema.safeParse(Object.fromEntries(params));
  const problems = [
    ...repeated.map((key) => `${key.slice(0, 100)}: given more than once`),
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`)),
  ];
  if (parsed.success && problems.length === 0) return { ok: true, value: parsed.data };
  return { ok: false, response: fail({ code: "bad_query", message: problems.join("; ") }) };
}

/** `Idempotency-Key`: the save id of a request a client may send again. */
export function idempotencyKey(request: Request): { ok: true; key: string | null } | { ok: false; response: Response } {
  const key = request.headers.get("idempotency-key");
  if (key === null) return { ok: true, key: null };
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    return {
      ok: false,
      response: fail({ code: "bad_request", message: "Idempotency-Key must be 1–200 visible ASCII characters." }),
    };
  }
  return { ok: true, key: `api:${key}` };
}
