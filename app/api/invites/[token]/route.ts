import { z } from "zod";
import { sessionCookie, setCookieHeader } from "@/app/_lib/session-cookie";
import { registerRoute, signedInSchema } from "@/app/api/_lib/openapi";
import { getDb } from "@/db/client";
import { acceptInvite } from "@/lib/users/people";
import { nameSchema, passwordSchema } from "../../_lib/people";
import { fail, guarded, isCrossOrigin, readJson } from "../../_lib/route";

type Params = { token: string };

const acceptBody = z.strictObject({ password: passwordSchema, name: nameSchema.optional() });

/** Uses an invite or reset link: sets the password and signs in, answering as POST /api/session. */
export function POST(request: Request, context: { params: Promise<Params> }): Promise<Response> {
  return guarded(request, async () => {
    if (isCrossOrigin(request)) return fail({ code: "forbidden", message: "Cross-origin requests are refused." });
    const { token } = await context.params;
    const body = await readJson(request, acceptBody);
    if (!body.ok) return body.response;
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) {
      return fail({
        code: "not_found",
        message: "This link is unknown, already used or expired. Ask an admin for a new one.",
      });
    }
    const result = await acceptInvite(await getDb(), {
      token,
      ...body.value,
      userAgent: request.headers.get("user-agent"),
    });
    if (!result.ok) return fail(result.error);
    const cookie = sessionCookie(result.token, { headers: request.headers });
    return Response.json(
      { user: result.actor, token: result.token, expiresAt: result.expiresAt.toISOString() },
      { headers: { "Set-Cookie": setCookieHeader(cookie), "Cache-Control": "no-store" } },
    );
  });
}

registerRoute({
  method: "post",
  path: "/api/invites/{token}",
  summary: "Use an invite or reset link: set the password and sign in",
  role: "public",
  params: z.object({ token: z.string().meta({ description: "The link's token" }) }),
  body: acceptBody,
  responses: { 200: { description: "Signed in (Set-Cookie too)", schema: signedInSchema } },
  errors: [403, 404, 429],
});
