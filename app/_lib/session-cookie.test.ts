import { afterEach, describe, expect, it } from "vitest";
import { isHttps, sessionCookie, setCookieHeader } from "./session-cookie";

const request = (url: string | null, headers: Record<string, string> = {}) => ({ url, headers: new Headers(headers) });

afterEach(() => {
  delete process.env.SESSION_DAYS;
});

describe("sessionCookie (one decision for the API's sign-in and the sign-in form)", () => {
  it("is httpOnly, SameSite=Lax, for the whole site, lasting SESSION_DAYS (default 7)", () => {
    expect(sessionCookie("tok", request("http://localhost:3000/api/session"))).toEqual({
      name: "tandem_session",
      value: "tok",
      httpOnly: true,
      sameSite: "lax",
      path: "/",
      maxAge: 7 * 24 * 60 * 60,
      secure: false,
    });
    process.env.SESSION_DAYS = "0.5";
    expect(sessionCookie("tok", request(null)).maxAge).toBe(12 * 60 * 60);
  });

  it("is Secure when the request is https, directly or as a proxy in front says", () => {
    expect(isHttps(request("https://tandem.example/api/session"))).toBe(true);
    expect(isHttps(request("http://10.0.0.5:3000/api/session", { "x-forwarded-proto": "https" }))).toBe(true);
    expect(isHttps(request(null, { "x-forwarded-proto": "HTTPS, http" }))).toBe(true);
    expect(isHttps(request("http://localhost:3000/"))).toBe(false);
    expect(isHttps(request("http://localhost:3000/", { "x-forwarded-proto": "http" }))).toBe(false);
    expect(isHttps(request(null))).toBe(false);
    expect(isHttps(request("not a url"))).toBe(false);
  });

  it("ends a session with an empty value and Max-Age=0, under the same attributes", () => {
    const cleared = sessionCookie(null, request("https://tandem.example/"));
    expect(cleared).toMatchObject({ value: "", maxAge: 0, secure: true, httpOnly: true, sameSite: "lax", path: "/" });
  });

  it("serialises to a Set-Cookie header", () => {
    expect(setCookieHeader(sessionCookie("abc", request("https://tandem.example/")))).toBe(
      `tandem_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=${7 * 24 * 60 * 60}; Secure`,
    );
    expect(setCookieHeader(sessionCookie(null, request("http://localhost/")))).toBe(
      "tandem_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
    );
  });
});
