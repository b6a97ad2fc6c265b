import { request as playwrightRequest } from "@playwright/test";
import { BASE_URL, expect, signIn, test } from "./fixtures";

/** Issue 10: security headers (defect 5), server actions and methods that answered 500 (defect 7). */

test("pages carry a nonce CSP, and the app runs under it without a violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto("/login");
  const headers = response?.headers() ?? {};
  const csp = headers["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"]).toContain("camera=()");
  // Plain http: no HSTS.
  expect(headers["strict-transport-security"]).toBeUndefined();
  // Every inline script Next.js wrote carries this response's nonce.
  const nonce = csp.match(/'nonce-([^']+)'/)?.[1];
  const inline = await page
    .locator("script:not([src])")
    .evaluateAll((scripts) => scripts.map((script) => (script as HTMLScriptElement).nonce));
  expect(inline.length).toBeGreaterThan(0);
  expect(inline.every((value) => value === nonce)).toBe(true);
  // Hydrated and working: the sign-in form (a server action) signs in.
  await signIn(page, "alice@example.com");
  await page.goto("/collections/tickets");
  await expect(page.getByRole("heading", { name: "Tickets" })).toBeVisible();
  expect(violations).toEqual([]);
  // A fresh nonce per response.
  const again = await page.request.get("/login");
  expect(again.headers()["content-security-policy"]).not.toBe(csp);
});

test("API answers carry nosniff and a CSP that loads nothing", async () => {
  const api = await playwrightRequest.newContext({ baseURL: BASE_URL });
  const response = await api.get("/api/health");
  expect(response.headers()["x-content-type-options"]).toBe("nosniff");
  expect(response.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  await api.dispose();
});

test("a cross-origin server-action call is a 403 in the error shape, not a 500", async () => {
  const api = await playwrightRequest.newContext({ baseURL: BASE_URL });
  const response = await api.post("/login", {
    headers: { origin: "https://evil.example", "next-action": "0123456789abcdef0123456789abcdef01234567" },
    multipart: { email: "alice@example.com", password: "x" },
  });
  expect(response.status()).toBe(403);
  expect(await response.json()).toMatchObject({ error: "forbidden", message: expect.any(String) });
  await api.dispose();
});

test("TRACE on any path answers 405 with the error shape (Next.js answered a bare 500)", async () => {
  for (const path of ["/api/health", "/api/records/x", "/login"]) {
    // fetch() refuses to send TRACE: node:http does.
    const response = await rawRequest("TRACE", path);
    expect({ path, status: response.status }).toEqual({ path, status: 405 });
    expect(JSON.parse(response.body)).toMatchObject({ error: "method_not_allowed", message: expect.any(String) });
  }
});

async function rawRequest(method: string, path: string): Promise<{ status: number; body: string }> {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = request(`${BASE_URL}${path}`, { method }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
