import { z } from "zod";
import { sessionCookie, setCookieHeader } from "@/app/_lib/session-cookie";
import { getDb } from "@/db/client";
import { authorize } from "@/lib/auth/authorize";
import { clientAddress } from "@/lib/auth/client-address";
import { login } from "@/lib/auth/login";
import { SESSION_COOKIE } from "@/lib/auth/sessions";
import { signOut, signOutEverywhere } from "@/lib/auth/sign-out";
import { errorBody, registerRoute } from "../_lib/openapi";
import { bearerToken, fail, guarded, isCrossOrigin, readCookie, readJson, readQuery } from "../_lib/route";

const credentials = z.strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(1000) });

const signOutQuery = z.strictObject({ everywhere: z.enum(["1"]).optional() });

/** Signs in. The token in the body is for scripts (Authorization: Bearer); browsers use the cookie. */
export function POST(request: Request): Promise<Response> {
  return guarded(request, async () => {
    if (isCrossOrigin(request)) return fail({ code: "forbidden", message: "Cross-origin sign-in is refused." });
    const body = await readJson(request, credentials);
    if (!body.ok) return body.response;
    const result = await login(await getDb(), {
      ...body.value,
      clientAddress: clientAddress(request.headers),
      userAgent: request.headers.get("user-agent"),
    });
    if (!result.ok) return fail(result.error);
    const { actor, token, expiresAt } = result;
    const cookie = sessionCookie(token, { headers: request.headers });
    return Response.json(
      { user: actor, token, expiresAt: expiresAt.toISOString() },
      { headers: { "Set-Cookie": setCookieHeader(cookie), "Cache-Control": "no-store" } },
    );
  });
}

/**
 * Signs out: this session, or with `?everywhere=1` every session of mine (API tokens stay;
 * they are revoked one by one). Either way every instance closes the streams that relied on
 * what ended (guarantee 12).
 */
export function DELETE(request: Request): Promise<Response> {
  return guarded(request, async () => {
    const bearer = bearerToken(request);
    const token = bearer ?? readCookie(request, SESSION_COOKIE);
    if (!bearer && token && isCrossOrigin(request)) {
      return fail({ code: "forbidden", message: "Cross-origin requests with a session cookie are refused." });
    }
    const query = readQuery(request, signOutQuery);
    if (!query.ok) return query.response;
    const db = await getDb();
    if (query.value.everywhere === "1") {
      const auth = await authorize(db, token, "viewer", { write: true });
      if (!auth.ok) return fail(auth.error);
      await signOutEverywhere(db, auth.actor.id);
    } else if (token) {
      await signOut(db, token);
    }
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
  query: signOutQuery,
  responses: {
    204: { description: "Signed out" },
    403: { description: "Cookie from another origin", schema: errorBody },
  },
});
