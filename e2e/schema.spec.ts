import type { Browser, Page } from "@playwright/test";
import { apiAs, expect, signIn, test } from "./fixtures";

/** The schema editor (/admin/collections/:slug): fields, keyboard reordering, two admins merging. */

async function adminPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "admin@example.com");
  return page;
}

function slugOf(label: string): string {
  return `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

test.describe("the schema editor", () => {
  test("an admin creates a collection, adds fields and reorders them with the keyboard", async ({ browser }) => {
    const page = await adminPage(browser);
    await page.getByRole("link", { name: "Collections setup" }).click();
    await expect(page.getByRole("heading", { name: "Collections setup" })).toBeVisible();
    await page.screenshot({ path: "test-results/admin-collections.png", fullPage: true });
    const slug = slugOf("supplies");
    await page.getByLabel("Name", { exact: true }).fill("Office supplies");
    await page.getByLabel("Slug (in its address)").fill(slug);
    await page.getByRole("button", { name: "Create collection" }).click();
    await expect(page.getByRole("heading", { name: "Schema of Office supplies" })).toBeVisible();

    await page.getByRole("button", { name: "Add field" }).click();
    const first = page.getByRole("group", { name: "Field 1" });
    await first.getByLabel("Label").fill("Item");
    await first.getByLabel("Required").check();
    await page.getByRole("button", { name: "Add field" }).click();
    const second = page.getByRole("group", { name: "Field 2" });
    await second.getByLabel("Label").fill("Tags");
    await second.getByLabel("Type").selectOption("multiselect");
    await second.getByLabel("Options (one per line)").fill("paper\ntoner\ndesk");
    await page.screenshot({ path: "test-results/schema-editor.png", fullPage: true });

    // Keyboard: focus "Move Tags up" and press Enter.
    await page.getByRole("button", { name: "Move Tags up" }).focus();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("group", { name: "Field 1" }).getByLabel("Label")).toHaveValue("Tags");
    await expect(page.getByRole("status").filter({ hasText: "Tags is now field 1 of 2." })).toBeAttached();

    await page.getByRole("button", { name: "Save schema" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved: version 2." })).toBeVisible();

    const viewer = await apiAs("carol@example.com");
    const response = await viewer.context.get(`/api/collections/${slug}`, { headers: viewer.headers });
    expect(response.headers().etag).toBe('"2"');
    const body = (await response.json()) as { fields: { key: string; type: string; options?: string[] }[] };
    expect(body.fields.map((f) => f.key)).toEqual(["tags", "item"]);
    expect(body.fields[0]?.options).toEqual(["paper", "toner", "desk"]);
    await viewer.dispose();

    // The new record form offers the multi-select as a group of checkboxes.
    await page.goto(`/collections/${slug}/new`);
    await expect(page.getByRole("group", { name: "Tags" }).getByLabel("toner")).toBeVisible();

    // The demo tickets show their assignee (a person) by name and their tags.
    await page.goto("/collections/tickets");
    const row = page.getByRole("row").filter({ hasText: "Invoice shows the wrong VAT rate" });
    await expect(row).toContainText("Alice");
    await expect(row).toContainText("billing, bug");
    await page.screenshot({ path: "test-results/tickets-table.png", fullPage: true });
  });

  test("two admins edit one collection; the second sees their change and merges", async ({ browser }) => {
    const api = await apiAs("admin@example.com");
    const slug = slugOf("assets");
    const created = await api.context.post("/api/collections", {
      headers: api.headers,
      data: {
        slug,
        name: "Assets",
        fields: [
          { key: "name", label: "Name", type: "text", required: true },
          { key: "state", label: "State", type: "select", options: ["In use", "Spare"] },
        ],
      },
    });
    expect(created.status()).toBe(201);

    const page = await adminPage(browser);
    await page.goto(`/admin/collections/${slug}`);
    await expect(page.getByRole("heading", { name: "Schema of Assets" })).toBeVisible();
    // I add a field while the other admin renames the collection and relabels "State".
    await page.getByRole("button", { name: "Add field" }).click();
    await page.getByRole("group", { name: "Field 3" }).getByLabel("Label").fill("Serial");
    const theirs = await api.context.patch(`/api/collections/${slug}`, {
      headers: { ...api.headers, "If-Match": '"1"' },
      data: {
        name: "Equipment",
        fields: [
          { key: "name", label: "Name", type: "text", required: true },
          { key: "state", label: "Status", type: "select", options: ["In use", "Spare"] },
        ],
      },
    });
    expect(theirs.status()).toBe(200);
    await expect(page.getByText("Another admin changed this collection (now version 2)")).toBeVisible();

    await page.getByRole("button", { name: "Save schema" }).click();
    const dialog = page.getByRole("dialog", { name: "Admin changed this collection meanwhile" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId("schema-part-name")).toContainText("Their change");
    await expect(dialog.getByTestId("schema-part-name")).toContainText("Equipment");
    await expect(dialog.getByTestId("schema-part-fields.serial")).toContainText("Your change");
    await page.screenshot({ path: "test-results/schema-conflict.png", fullPage: true });
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: "Saved: version 3." })).toBeVisible();

    const after = await api.context.get(`/api/collections/${slug}`, { headers: api.headers });
    const body = (await after.json()) as { name: string; fields: { key: string; label: string }[] };
    expect(body.name).toBe("Equipment");
    expect(body.fields.map((f) => [f.key, f.label])).toEqual([
      ["name", "Name"],
      ["state", "Status"],
      ["serial", "Serial"],
    ]);
    await api.dispose();
  });

  test("a change that leaves values unfit shows its impact; applied, the record keeps them flagged and still saves", async ({
    browser,
  }) => {
    const api = await apiAs("admin@example.com");
    const slug = slugOf("orders");
    const created = await api.context.post("/api/collections", {
      headers: api.headers,
      data: {
        slug,
        name: "Orders",
        fields: [
          { key: "title", label: "Title", type: "text", required: true, listed: true },
          { key: "state", label: "State", type: "select", options: ["New", "Held", "Done"], listed: true },
        ],
      },
    });
    expect(created.status()).toBe(201);
    const held = await api.createRecord(slug, { title: "Order 1", state: "Held" });

    const page = await adminPage(browser);
    await page.goto(`/admin/collections/${slug}`);
    await page.getByRole("group", { name: "Field 2" }).getByLabel("Options (one per line)").fill("New\nDone");
    await page.getByRole("button", { name: "Save schema" }).click();
    const dialog = page.getByRole("dialog", { name: "This change affects existing records" });
    await expect(dialog).toContainText("State: 1 record");
    await expect(dialog).toContainText('"Held"');
    await page.screenshot({ path: "test-results/schema-impact.png", fullPage: true });
    await dialog.getByRole("button", { name: "Apply anyway" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved: version 2." })).toBeVisible();

    await page.goto(`/records/${held.id}`);
    const flagged = page.getByTestId("flagged-values");
    await expect(flagged).toContainText("State: 'Held' is no longer an option");
    await page.getByLabel("Title").fill("Order 1 (renamed)");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toContainText("Saved — version 2");
    await page.screenshot({ path: "test-results/record-flagged.png", fullPage: true });
    const after = await api.getRecord(held.id);
    expect(after.data).toEqual({ title: "Order 1 (renamed)", state: "Held" });
    await api.dispose();
  });
});
