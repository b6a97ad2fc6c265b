import { afterEach, describe, expect, it } from "vitest";
import { PEER_HEADER } from "@/lib/auth/client-address";
import { isHttps } from "@/lib/auth/request-origin";
import { sessionCookie, setCookieHeader } from "./session-cookie";

const SECRET = "unit-peer-secret";
process.env.TANDEM_PEER_SECRET = SECRET;

/** A request from socket peer `peer` with these headers. */
const request = (headers: Record<string, string> = {}, peer = "10.0.0.5") => ({
  headers: new Headers({ ...headers, [PEER_HEADER]: `${SECRET} ${peer}` }),
});

afterEach(() => {
  delete process.env.SESSION_DAYS;
  delete process.env.APP_ORIGIN;
  delete process.env.TRUSTED_PROXIES;
});

describe("sessionCookie (one decision for the API's sign-in and the sign-in form)", () => {
  it("is httpOnly, SameSite=Lax, for the whole site, lasting SESSION_DAYS (default 7)", () => {
    expect(sessionCookie("tok", request())).toEqual({
      name: "tandem_session",
      value: "tok",
      httpOnly: true,
      sameSite: "lax",
      path: "/",
      maxAge: 7 * 24 * 60 * 60,
      secure: false,
    });
    process.env.SESSION_DAYS = "0.5";
    expect(sessionCookie("tok", request()).maxAge).toBe(12 * 60 * 60);
  });

  it("is not Secure because of a header any client can send (issue 10, defect 6)", () => {
    expect(isHttps(request({ "x-forwarded-proto": "https" }).headers)).toBe(false);
    expect(isHttps(request({ origin: "https://localhost:3000" }).headers)).toBe(false);
    // A proxy that is trusted, but not this peer.
    process.env.TRUSTED_PROXIES = "192.168.0.0/16";
    expect(isHttps(request({ "x-forwarded-proto": "https" }).headers)).toBe(false);
  });

  it("is Secure when APP_ORIGIN is https or a trusted proxy says the request was https", () => {
    process.env.TRUSTED_PROXIES = "10.0.0.0/8";
    expect(isHttps(request({ "x-forwarded-proto": "https" }).headers)).toBe(true);
    expect(isHttps(request({ "x-forwarded-proto": "https, http" }).headers)).toBe(false);
    expect(isHttps(request({ "x-forwarded-proto": "http" }).headers)).toBe(false);
    process.env.TRUSTED_PROXIES = "1";
    expect(isHttps(request({ "x-forwarded-proto": "https" }).headers)).toBe(true);
    delete process.env.TRUSTED_PROXIES;
    process.env.APP_ORIGIN = "https://tandem.example";
    expect(isHttps(request().headers)).toBe(true);
  });

  it("ends a session with an empty value and Max-Age=0, under the same attributes", () => {
    process.env.APP_ORIGIN = "https://tandem.example";
    const cleared = sessionCookie(null, request());
    expect(cleared).toMatchObject({ value: "", maxAge: 0, secure: true, httpOnly: true, sameSite: "lax", path: "/" });
  });

  it("serialises to a Set-Cookie header", () => {
    process.env.APP_ORIGIN = "https://tandem.example";
    expect(setCookieHeader(sessionCookie("abc", request()))).toBe(
      `tandem_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=${7 * 24 * 60 * 60}; Secure`,
    );
    delete process.env.APP_ORIGIN;
    expect(setCookieHeader(sessionCookie(null, request()))).toBe(
      "tandem_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
    );
  });
});
