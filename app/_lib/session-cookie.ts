import { SESSION_COOKIE, sessionMaxAgeSeconds } from "@/lib/auth/sessions";

/**
 * The one place that decides the session cookie's attributes, for the API's sign-in and the
 * sign-in form alike: httpOnly (scripts never see it), SameSite=Lax, the whole site, and Secure
 * whenever the request came over https, directly or through a proxy that says so.
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
  /** The request's URL, or for a server action its Origin; null when unknown. */
  url: string | null;
  headers: Pick<Headers, "get">;
};

export function isHttps({ url, headers }: RequestFacts): boolean {
  const forwarded = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  if (forwarded === "https") return true;
  return url !== null && URL.canParse(url) && new URL(url).protocol === "https:";
}

/** A new session's cookie (`token`), or with `token: null` the cookie that ends it. */
export function sessionCookie(token: string | null, request: RequestFacts): SessionCookie {
  return {
    name: SESSION_COOKIE,
    value: token ?? "",
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    maxAge: token === null ? 0 : sessionMaxAgeSeconds(),
    secure: isHttps(request),
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
