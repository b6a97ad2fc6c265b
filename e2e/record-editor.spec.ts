import type { Page } from "@playwright/test";
import { type Api, expect, test, unique } from "./fixtures";

const PASSWORD = "amber kettle harbour 31";

type Collection = { slug: string; version: number };
type User = { id: string };

async function createCollection(admin: Api, fields: Record<string, unknown>[]): Promise<Collection> {
  const slug = `wire-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const response = await admin.context.post("/api/collections", {
    data: { slug, name: unique("Intake"), fields },
    headers: admin.headers,
  });
  expect(response.status()).toBe(201);
  return (await response.json()) as Collection;
}

/** An admin's change to a person, against their current version (accepting an invite moves it). */
async function patchUser(admin: Api, id: string, change: Record<string, unknown>): Promise<void> {
  const current = await admin.context.get(`/api/users/${id}`, { headers: admin.headers });
  expect(current.status()).toBe(200);
  const response = await admin.context.patch(`/api/users/${id}`, {
    data: change,
    headers: { ...admin.headers, "If-Match": current.headers().etag ?? "" },
  });
  expect(response.status()).toBe(200);
}

/** A marker on `window`: still there means the page was not reloaded. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __notReloaded: boolean }).__notReloaded = true;
  });
}

async function notReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded === true);
}

test.describe("the record editor follows schema and access changes", () => {
  // Two browsers and an argon2 sign-in per test, on a shared machine.
  test.describe.configure({ timeout: 60_000 });

  test("an admin adds a required field while Alice edits: she reloads the form, her edits survive, she fills it and saves", async ({
    api,
    recordAs,
  }) => {
    const admin = await api("admin@example.com");
    const collection = await createCollection(admin, [
      { key: "title", label: "Title", type: "text", required: true },
      { key: "notes", label: "Notes", type: "longtext" },
      { key: "code", label: "Code", type: "text" },
    ]);
    const record = await admin.createRecord(collection.slug, { title: unique("Intake"), notes: "First", code: "C1" });

    const alice = await recordAs("alice@example.com", record.id);
    await markPage(alice.page);
    await alice.field("Title").fill("Alice's title");
    await alice.field("Notes").fill("Alice's notes");
    await alice.field("Code").fill("Alice's code");

    // The admin adds a required Owner and removes Code (through the API), accepting the impact.
    const changed = await admin.context.patch(`/api/collections/${collection.slug}?accept_impact=1`, {
      data: {
        fields: [
          { key: "title", label: "Title", type: "text", required: true },
          { key: "notes", label: "Notes", type: "longtext" },
          { key: "owner", label: "Owner", type: "text", required: true },
        ],
      },
      headers: { ...admin.headers, "If-Match": `"${collection.version}"` },
    });
    expect(changed.status()).toBe(200);

    const notice = alice.page.getByTestId("schema-changed");
    await expect(notice).toContainText("An admin changed the fields of this collection");
    await expect(alice.field("Owner")).toHaveCount(0);
    await notice.getByRole("button", { name: "Reload the form" }).click();
    await expect(notice).toBeHidden();

    await expect(alice.field("Title")).toHaveValue("Alice's title");
    await expect(alice.field("Notes")).toHaveValue("Alice's notes");
    await expect(alice.field("Code")).toHaveCount(0);
    await expect(alice.field("Owner")).toBeVisible();
    await expect(alice.field("Owner")).toHaveAccessibleDescription("Owner is required");
    const note = alice.page.getByTestId("schema-note");
    await expect(note).toContainText("New: Owner (required).");
    await expect(note).toContainText("Removed: Code. Your edit there is kept in this browser's draft");
    await expect
      .poll(() => alice.page.evaluate((id) => window.localStorage.getItem(`tandem:draft:${id}`), record.id))
      .toContain("Alice's code");
    await alice.page.screenshot({ path: "test-results/record-schema-reloaded.png", fullPage: true });

    await alice.field("Owner").fill("Alice");
    await alice.save();
    await expect(alice.status("Saved — version 2")).toBeVisible();
    const saved = await admin.getRecord(record.id);
    expect(saved.data).toMatchObject({ title: "Alice's title", notes: "Alice's notes", owner: "Alice" });
    expect(await notReloaded(alice.page)).toBe(true);
  });

  test("a save against an older schema that the server refuses names the field, at the field", async ({
    api,
    recordAs,
  }) => {
    const admin = await api("admin@example.com");
    const collection = await createCollection(admin, [
      { key: "title", label: "Title", type: "text", required: true },
      { key: "code", label: "Code", type: "text" },
    ]);
    const record = await admin.createRecord(collection.slug, { title: unique("Older schema") });
    const alice = await recordAs("alice@example.com", record.id);

    // Code becomes a whole number while Alice's form still takes text.
    const changed = await admin.context.patch(`/api/collections/${collection.slug}`, {
      data: {
        fields: [
          { key: "title", label: "Title", type: "text", required: true },
          { key: "code", label: "Code", type: "integer" },
        ],
      },
      headers: { ...admin.headers, "If-Match": `"${collection.version}"` },
    });
    expect(changed.status()).toBe(200);
    await expect(alice.page.getByTestId("schema-changed")).toBeVisible();

    await alice.field("Code").fill("ABC-1");
    await alice.save();
    await expect(alice.field("Code")).toHaveAttribute("aria-invalid", "true");
    await expect(alice.field("Code")).toHaveAccessibleDescription(/.+/);
    await expect(alice.field("Code")).toHaveValue("ABC-1");
    expect((await admin.getRecord(record.id)).version).toBe(1);

    // Reloading the form (Code is a number input now) keeps the message at the field; a whole number saves.
    await alice.button("Reload the form").click();
    await expect(alice.field("Code")).toHaveAttribute("aria-invalid", "true");
    await alice.field("Code").fill("7");
    await alice.save();
    await expect(alice.status("Saved — version 2")).toBeVisible();
    expect((await admin.getRecord(record.id)).data).toMatchObject({ code: 7 });
  });

  test("a role lowered to viewer turns the open form read-only without a reload, edits kept; deactivation stops saving", async ({
    api,
    browser,
    recordAs,
  }) => {
    const admin = await api("admin@example.com");
    const email = `${unique("wren").replaceAll(" ", "-").toLowerCase()}@example.com`;
    const invited = await admin.context.post("/api/users", {
      data: { email, name: "Wren", role: "editor" },
      headers: admin.headers,
    });
    expect(invited.status()).toBe(201);
    const { user: created, inviteUrl } = (await invited.json()) as { user: User; inviteUrl: string };
    const record = await admin.createRecord("tickets", { title: unique("Access"), status: "Open", priority: "Low" });

    const context = await browser.newContext();
    const wren = await context.newPage();
    try {
      await wren.goto(inviteUrl);
      await wren.getByLabel("New password", { exact: true }).fill(PASSWORD);
      await wren.getByLabel("New password again").fill(PASSWORD);
      await wren.getByRole("button", { name: "Set password and sign in" }).click();
      await expect(wren.getByRole("heading", { name: "Collections" })).toBeVisible();
      await wren.goto(`/records/${record.id}`);
      // Wren's live stream is open once the admin, on the same record, sees her there.
      const watcher = await recordAs("admin@example.com", record.id);
      await expect(watcher.presence).toContainText("Wren");
      await markPage(wren);
      await wren.getByLabel("Title").fill("Wren's unsaved title");
      const save = wren.getByRole("button", { name: "Save", exact: true });
      await expect(save).toBeVisible();

      await patchUser(admin, created.id, { role: "viewer" });
      await expect(wren.getByTestId("access-notice")).toContainText("Your role is now viewer");
      await expect(save).toHaveCount(0);
      await expect(wren.getByLabel("Title")).toBeDisabled();
      await expect(wren.getByLabel("Title")).toHaveValue("Wren's unsaved title");
      await expect(wren.getByTestId("read-only-reason")).toContainText(
        "You can view this record; editing needs the editor role. Your edits are kept as a draft in this browser.",
      );
      await expect
        .poll(() => wren.evaluate((id) => window.localStorage.getItem(`tandem:draft:${id}`), record.id))
        .toContain("Wren's unsaved title");
      expect(await notReloaded(wren)).toBe(true);
      await wren.screenshot({ path: "test-results/record-role-lowered.png", fullPage: true });

      // Editor again: the same form, with the edits, is editable.
      await patchUser(admin, created.id, { role: "editor" });
      await expect(save).toBeVisible();
      await expect(wren.getByLabel("Title")).toBeEnabled();
      await expect(wren.getByLabel("Title")).toHaveValue("Wren's unsaved title");

      // Deactivated: the access notice says so, saving stops, the edits stay on the page.
      await patchUser(admin, created.id, { active: false });
      await expect(wren.getByTestId("access-notice")).toContainText("Your account was deactivated.");
      await expect(save).toHaveCount(0);
      await expect(wren.getByLabel("Title")).toHaveValue("Wren's unsaved title");
      await expect(wren.getByTestId("read-only-reason")).toContainText("Saving is off");
      expect(await notReloaded(wren)).toBe(true);
      expect((await admin.getRecord(record.id)).version).toBe(1);
    } finally {
      await context.close();
    }
  });
});
