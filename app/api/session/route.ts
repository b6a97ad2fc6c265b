import { z } from "zod";
import { sessionCookie, setCookieHeader } from "@/app/_lib/session-cookie";
import { getDb } from "@/db/client";
import { clientAddress } from "@/lib/auth/client-address";
import { login } from "@/lib/auth/login";
import { deleteSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { errorBody, registerRoute } from "../_lib/openapi";
import { fail, guarded, isCrossOrigin, readCookie, readJson } from "../_lib/route";

const credentials = z.strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(1000) });

/** Signs in. The token in the body is for scripts (Authorization: Bearer); browsers use the cookie. */
export function POST(request: Request): Promise<Response> {
  return guarded(request, async () => {
    if (isCrossOrigin(request)) return fail({ code: "forbidden", message: "Cross-origin sign-in is refused." });
    const body = await readJson(request, credentials);
    if (!body.ok) return body.response;
    const result = await login(await getDb(), { ...body.value, clientAddress: clientAddress(request.headers) });
    if (!result.ok) return fail(result.error);
    const { actor, token, expiresAt } = result;
    const cookie = sessionCookie(token, { headers: request.headers });
    return Response.json(
      { user: actor, token, expiresAt: expiresAt.toISOString() },
      { headers: { "Set-Cookie": setCookieHeader(cookie), "Cache-Control": "no-store" } },
    );
  });
}

export function DELETE(request: Request): Promise<Response> {
  return guarded(request, async () => {
    const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)/i)?.[1];
    const token = bearer ?? readCookie(request, SESSION_COOKIE);
    if (!bearer && token && isCrossOrigin(request)) {
      return fail({ code: "forbidden", message: "Cross-origin requests with a session cookie are refused." });
    }
    if (token) await deleteSession(await getDb(), token);
    const cleared = sessionCookie(null, { headers: request.headers });
    return new Response(null, { status: 204, headers: { "Set-Cookie": setCookieHeader(cleared) } });
  });
}

const signedIn = z.object({
  user: z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.enum(["viewer", "editor", "admin"]) }),
  token: z.string(),
  expiresAt: z.string(),
});
registerRoute({
  method: "post",
  path: "/api/session",
  summary: "Sign in: a session cookie for browsers, the token for scripts (Authorization: Bearer)",
  role: "public",
  body: credentials,
  responses: { 200: { description: "Signed in (Set-Cookie too)", schema: signedIn } },
  errors: [401, 403, 429],
});
registerRoute({
  method: "delete",
  path: "/api/session",
  summary: "Sign out (the cookie's or the Bearer token's session)",
  role: "public",
  responses: {
    204: { description: "Signed out" },
    403: { description: "Cookie from another origin", schema: errorBody },
  },
});
