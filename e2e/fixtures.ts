import { test as base, expect, type Page, request as playwrightRequest } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3210);
export const BASE_URL = `http://localhost:${port}`;
/** The second app instance on the same database (e2e/serve.ts). */
export const SECOND_URL = `http://localhost:${port + 1}`;
export const PASSWORD = process.env.DEMO_PASSWORD || "tandem-demo";

export type RecordBody = { id: string; version: number; data: Record<string, unknown> };

/** A script's view of the API: signs in and sends a Bearer token. */
export async function apiAs(email: string, baseURL = BASE_URL) {
  const context = await playwrightRequest.newContext({ baseURL });
  const login = await context.post("/api/session", { data: { email, password: PASSWORD } });
  expect(login.status(), `sign-in of ${email}`).toBe(200);
  const { token } = (await login.json()) as { token: string };
  const headers = { Authorization: `Bearer ${token}` };
  return {
    context,
    headers,
    async createRecord(collection: string, data: Record<string, unknown>): Promise<RecordBody> {
      const response = await context.post(`/api/collections/${collection}/records`, { data: { data }, headers });
      expect(response.status()).toBe(201);
      return (await response.json()) as RecordBody;
    },
    async getRecord(id: string): Promise<RecordBody> {
      const response = await context.get(`/api/records/${id}`, { headers });
      expect(response.status()).toBe(200);
      return (await response.json()) as RecordBody;
    },
    async patchRecord(id: string, version: number, data: Record<string, unknown>) {
      return context.patch(`/api/records/${id}`, {
        data: { data },
        headers: { ...headers, "If-Match": `"${version}"` },
      });
    },
    dispose: () => context.dispose(),
  };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Collections" })).toBeVisible();
}

/** A unique title, so tests never depend on each other's records. */
export function unique(label: string): string {
  return `${label} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export const test = base;
export { expect };
