import { randomBytes } from "node:crypto";
import { type NextRequest, NextResponse } from "next/server";
import { isHttps, isOwnOrigin } from "@/lib/auth/request-origin";
import { contentSecurityPolicy, HSTS } from "@/lib/http/security-headers";

/**
 * Runs before every page (not the API, not static files):
 * - refuses a server-action call from another origin with a 403 in the API's error shape
 *   (Next.js itself would answer it with a 500 "Invalid Server Actions request");
 * - sets a Content-Security-Policy with a fresh nonce, which Next.js puts on its inline scripts;
 * - sets HSTS when the app is served over https (APP_ORIGIN, or a trusted proxy says so).
 * The other security headers are static, for every answer (next.config.ts).
 */
export function proxy(request: NextRequest): NextResponse {
  if (request.method === "POST" && request.headers.has("next-action")) {
    const origin = request.headers.get("origin");
    if (origin === null || !isOwnOrigin(origin, request.headers)) {
      return NextResponse.json(
        { error: "forbidden", message: "Cross-origin form submissions are refused." },
        { status: 403 },
      );
    }
  }
  const https = isHttps(request.headers);
  const nonce = randomBytes(16).toString("base64");
  const policy = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development", https });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  if (https) response.headers.set("Strict-Transport-Security", HSTS);
  return response;
}

export const config = {
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico).*)" }],
};
