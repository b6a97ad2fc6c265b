import {
  type BrowserContextOptions,
  test as base,
  expect,
  type Page,
  request as playwrightRequest,
} from "@playwright/test";
import { RecordPage } from "./record-page";

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

export type Api = Awaited<ReturnType<typeof apiAs>>;

type Fixtures = {
  /** An API client signed in as `email`; disposed after the test, also when it fails. */
  api: (email: string, baseURL?: string) => Promise<Api>;
  /** A page in its own browser context, signed in as `email`; closed after the test. */
  pageAs: (email: string, options?: BrowserContextOptions) => Promise<Page>;
  /** `pageAs` then the record page opened: a page object (e2e/record-page.ts). */
  recordAs: (email: string, recordId: string, options?: BrowserContextOptions) => Promise<RecordPage>;
};

/**
 * Real fixtures: whatever a test opens through them is cleaned up when the test ends, passed
 * or failed, so a failing test never leaves contexts or API clients behind.
 */
export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  api: async ({}, use) => {
    const opened: Api[] = [];
    await use(async (email, baseURL) => {
      const client = await apiAs(email, baseURL);
      opened.push(client);
      return client;
    });
    await Promise.all(opened.map((client) => client.dispose()));
  },
  pageAs: async ({ browser }, use) => {
    const contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    await use(async (email, options) => {
      const context = await browser.newContext(options);
      contexts.push(context);
      const page = await context.newPage();
      await signIn(page, email);
      return page;
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
  recordAs: async ({ pageAs }, use) => {
    await use(async (email, recordId, options) => {
      const record = new RecordPage(await pageAs(email, options));
      await record.open(recordId);
      return record;
    });
  },
});
export { expect, RecordPage };
