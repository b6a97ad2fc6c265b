import { z } from "zod";
import { getDb } from "@/db/client";
import { login } from "@/lib/auth/login";
import { deleteSession, SESSION_COOKIE, SESSION_MAX_AGE_SECONDS } from "@/lib/auth/sessions";
import { fail, guarded, isCrossOrigin, readCookie, readJson } from "../_lib/route";

const credentials = z.strictObject({ email: z.string().min(1).max(320), password: z.string().min(1).max(1000) });

function cookie(request: Request, value: string, maxAge: number): string {
  const secure = new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

/** Signs in. The token in the body is for scripts (Authorization: Bearer); browsers use the cookie. */
export function POST(request: Request): Promise<Response> {
  return guarded(request, async () => {
    if (isCrossOrigin(request)) return fail({ code: "forbidden", message: "Cross-origin sign-in is refused." });
    const body = await readJson(request, credentials);
    if (!body.ok) return body.response;
    const clientAddress = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "local";
    const result = await login(await getDb(), { ...body.value, clientAddress });
    if (!result.ok) return fail(result.error);
    const { actor, token, expiresAt } = result;
    return Response.json(
      { user: actor, token, expiresAt: expiresAt.toISOString() },
      { headers: { "Set-Cookie": cookie(request, token, SESSION_MAX_AGE_SECONDS), "Cache-Control": "no-store" } },
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
    return new Response(null, { status: 204, headers: { "Set-Cookie": cookie(request, "", 0) } });
  });
}
