import { expect } from "vitest";
import { getDatabase } from "@/db/client";
import { PEER_HEADER } from "@/lib/auth/client-address";
import type { TestDatabase } from "./test-database";

/**
 * Calls Next route handlers directly, as Next would: a standard Request and a context whose
 * params are a promise. Every answer is checked against the API's contract on the way out:
 * never a 500 (503 means the database is down), and every error body is `{error, message, …}`.
 */

export const ORIGIN = "http://localhost:3000";

/** What the app's server entry (scripts/serve-app.mjs) would put in its peer header, in tests. */
process.env.TANDEM_PEER_SECRET ||= "test-peer-secret";

/**
 * Points the route handlers (getDb(), cached per process) at this test file's database. Vitest
 * runs each test file in its own isolated module graph and process, so files do not share it.
 */
export function useDatabaseInRoutes(database: TestDatabase): void {
  process.env.DATABASE_URL = database.url;
}

/** Closes the route handlers' pool, before the test database is dropped. */
export async function closeRouteDatabase(): Promise<void> {
  if (process.env.DATABASE_URL) await (await getDatabase()).close();
}

type RouteHandler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

export type ApiRequest<P> = {
  method?: string;
  /** Path and query, e.g. `/api/records/…?limit=5`. */
  path: string;
  params?: P;
  /** Sent as `Authorization: Bearer`. */
  token?: string;
  /** Sent as the session cookie. */
  cookie?: string;
  /** Serialised as JSON. */
  json?: unknown;
  /** Sent as is (for malformed bodies). */
  body?: string;
  headers?: Record<string, string>;
  /** The socket peer's address, as the app's server entry records it (lib/auth/client-address.ts). */
  peer?: string;
};

export type ApiResponse = {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  body: any;
};

export async function callRoute<P>(handler: RouteHandler<P>, request: ApiRequest<P>): Promise<ApiResponse> {
  const headers = new Headers({ host: new URL(ORIGIN).host, ...request.headers });
  if (request.token) headers.set("authorization", `Bearer ${request.token}`);
  if (request.peer) headers.set(PEER_HEADER, `${process.env.TANDEM_PEER_SECRET} ${request.peer}`);
  if (request.cookie) headers.set("cookie", `tandem_session=${request.cookie}`);
  let body = request.body;
  if (request.json !== undefined) {
    body = JSON.stringify(request.json);
    headers.set("content-type", "application/json");
  }
  const response = await handler(
    new Request(new URL(request.path, ORIGIN), { method: request.method ?? "GET", headers, body }),
    {
      params: Promise.resolve(request.params ?? ({} as P)),
    },
  );
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  const parsed: unknown = text === "" ? null : type.startsWith("text/") ? text : JSON.parse(text);

  expect(response.status, `${request.method ?? "GET"} ${request.path} must never answer 500`).not.toBe(500);
  if (response.status >= 400) {
    expect(parsed, `error body of ${request.method ?? "GET"} ${request.path}`).toMatchObject({
      error: expect.any(String),
      message: expect.any(String),
    });
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Asserts an error answer's status and code. */
export function expectError(response: ApiResponse, status: number, code: string): void {
  expect({ status: response.status, error: response.body?.error }).toEqual({ status, error: code });
}
