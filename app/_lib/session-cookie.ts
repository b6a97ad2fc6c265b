import { isHttps } from "@/lib/auth/request-origin";
import { SESSION_COOKIE, sessionMaxAgeSeconds } from "@/lib/auth/sessions";

/**
 * The one place that decides the session cookie's attributes, for the API's sign-in and the
 * sign-in form alike: httpOnly (scripts never see it), SameSite=Lax, the whole site, and Secure
 * whenever the app is served over https: APP_ORIGIN is https, or a trusted proxy
 * (TRUSTED_PROXIES) says so. Never from a header any client can set.
 */
export type SessionCookie = {
  name: string;
  value: string;
  httpOnly: true;
  sameSite: "lax";
  path: "/";
  maxAge: number;
  secure: boolean;
};

export type RequestFacts = {
  headers: Pick<Headers, "get">;
};

/** A new session's cookie (`token`), or with `token: null` the cookie that ends it. */
export function sessionCookie(token: string | null, request: RequestFacts): SessionCookie {
  return {
    name: SESSION_COOKIE,
    value: token ?? "",
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    maxAge: token === null ? 0 : sessionMaxAgeSeconds(),
    secure: isHttps(request.headers),
  };
}

/** The cookie as a `Set-Cookie` header value. */
export function setCookieHeader(cookie: SessionCookie): string {
  return [
    `${cookie.name}=${encodeURIComponent(cookie.value)}`,
    `Path=${cookie.path}`,
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${cookie.maxAge}`,
    ...(cookie.secure ? ["Secure"] : []),
  ].join("; ");
}
