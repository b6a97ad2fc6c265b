import type { Browser, Page } from "@playwright/test";
import { apiAs, expect, signIn, test, unique } from "./fixtures";

async function openAs(browser: Browser, email: string, id: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  await page.goto(`/records/${id}`);
  await expect(page.getByTestId("record-version")).toBeVisible();
  return page;
}

async function revisionActions(id: string): Promise<string[]> {
  const api = await apiAs("carol@example.com");
  const response = await api.context.get(`/api/records/${id}/revisions`, { headers: api.headers });
  const revisions = (await response.json()) as { action: string }[];
  await api.dispose();
  return revisions.map((r) => r.action).reverse();
}

test.describe("the conflict dialog", () => {
  test("different fields: Bob's change is shown as his, and Merge keeps both", async ({ browser }) => {
    const admin = await apiAs("admin@example.com");
    const bob = await apiAs("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Merge me"), status: "Open", priority: "Low" });
    const alice = await openAs(browser, "alice@example.com", record.id);

    await alice.getByLabel("Description").fill("Alice wrote this.");
    expect((await bob.patchRecord(record.id, 1, { priority: "High" })).status()).toBe(200);
    await alice.getByRole("button", { name: "Save" }).click();

    const dialog = alice.getByRole("dialog", { name: "Bob changed this record while you were editing" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId("merge-priority")).toContainText("Only Bob changed this");
    await expect(dialog.getByTestId("merge-priority")).toContainText("Bob, just now");
    await expect(dialog.getByTestId("merge-description")).toContainText("Only you changed this");
    await alice.screenshot({ path: "test-results/conflict-dialog-merge.png" });
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.getByRole("status").filter({ hasText: "Merged — version 3" })).toBeVisible();

    const saved = await admin.getRecord(record.id);
    expect(saved.version).toBe(3);
    expect(saved.data).toMatchObject({ priority: "High", description: "Alice wrote this." });
    expect(await revisionActions(record.id)).toEqual(["create", "update", "merge"]);
    await Promise.all([admin.dispose(), bob.dispose(), alice.context().close()]);
  });

  test("same field: the merge waits for Alice's decision, and hers is saved", async ({ browser }) => {
    const admin = await apiAs("admin@example.com");
    const bob = await apiAs("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Same field"), status: "Open" });
    const alice = await openAs(browser, "alice@example.com", record.id);

    await alice.getByLabel("Status").selectOption("Resolved");
    expect((await bob.patchRecord(record.id, 1, { status: "In progress" })).status()).toBe(200);
    await alice.getByRole("button", { name: "Save" }).click();

    const dialog = alice.getByRole("dialog");
    const status = dialog.getByTestId("merge-status");
    await expect(status).toContainText("You both changed this");
    await expect(dialog.getByRole("button", { name: "Merge" })).toBeDisabled();
    await status.getByRole("radio", { name: "Keep mine" }).check();
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect(dialog).toBeHidden();
    await expect.poll(async () => (await admin.getRecord(record.id)).data.status).toBe("Resolved");
    expect(await revisionActions(record.id)).toEqual(["create", "update", "merge"]);
    await Promise.all([admin.dispose(), bob.dispose(), alice.context().close()]);
  });

  test("Overwrite names the change it reverts and is recorded as an overwrite", async ({ browser }) => {
    const admin = await apiAs("admin@example.com");
    const bob = await apiAs("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Overwrite"), status: "Open", priority: "Low" });
    const alice = await openAs(browser, "alice@example.com", record.id);

    await alice.getByLabel("Title").fill("Alice's title");
    expect((await bob.patchRecord(record.id, 1, { priority: "Urgent" })).status()).toBe(200);
    await alice.getByRole("button", { name: "Save" }).click();

    const dialog = alice.getByRole("dialog");
    await expect(dialog.getByTestId("overwrite-reverts")).toContainText(
      "reverts their changes to Priority (Bob: Urgent)",
    );
    await dialog.getByRole("button", { name: "Overwrite" }).click();
    await expect(dialog).toBeHidden();
    const saved = await admin.getRecord(record.id);
    expect(saved.data).toMatchObject({ title: "Alice's title", priority: "Low" });
    expect(await revisionActions(record.id)).toEqual(["create", "update", "overwrite"]);
    await Promise.all([admin.dispose(), bob.dispose(), alice.context().close()]);
  });

  test("a reload mid-edit offers the unsaved changes back, and restores them", async ({ browser }) => {
    const admin = await apiAs("admin@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Draft"), status: "Open" });
    const alice = await openAs(browser, "alice@example.com", record.id);

    await alice.getByLabel("Description").fill("Half-written thought");
    await expect(alice.getByText("kept as a draft in this browser")).toBeVisible();
    await expect
      .poll(() => alice.evaluate((id) => window.localStorage.getItem(`tandem:draft:${id}`), record.id))
      .toContain("Half-written thought");
    alice.once("dialog", (d) => void d.accept()); // the leave warning
    await alice.reload();
    await expect(alice.getByLabel("Description")).toHaveValue("");
    await alice.getByRole("button", { name: "Restore your unsaved changes" }).click();
    await expect(alice.getByLabel("Description")).toHaveValue("Half-written thought");
    await alice.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await admin.getRecord(record.id)).data.description).toBe("Half-written thought");
    await Promise.all([admin.dispose(), alice.context().close()]);
  });

  test("Bob deletes the record while Alice edits: she can restore it with her edits", async ({ browser }) => {
    const admin = await apiAs("admin@example.com");
    const bob = await apiAs("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Deleted"), status: "Open" });
    const alice = await openAs(browser, "alice@example.com", record.id);

    await alice.getByLabel("Description").fill("Worth keeping");
    const deleted = await bob.context.delete(`/api/records/${record.id}`, {
      headers: { ...bob.headers, "If-Match": '"1"' },
    });
    expect(deleted.status()).toBe(204);
    await alice.getByRole("button", { name: "Save" }).click();

    const dialog = alice.getByRole("dialog", { name: "Bob deleted this record while you were editing" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Restore with my edits" }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.getByRole("status").filter({ hasText: "Restored — version 3" })).toBeVisible();
    const restored = await admin.getRecord(record.id);
    expect(restored.data).toMatchObject({ description: "Worth keeping" });
    expect(await revisionActions(record.id)).toEqual(["create", "delete", "restore"]);
    await Promise.all([admin.dispose(), bob.dispose(), alice.context().close()]);
  });

  test("a third save while the dialog is open: the merge conflicts again and shows the newer change", async ({
    browser,
  }) => {
    const admin = await apiAs("admin@example.com");
    const bob = await apiAs("bob@example.com");
    const record = await admin.createRecord("tickets", {
      title: unique("Three people"),
      status: "Open",
      priority: "Low",
    });
    const alice = await openAs(browser, "alice@example.com", record.id);

    await alice.getByLabel("Title").fill("Alice's title");
    await alice.getByLabel("Priority").selectOption("Normal");
    expect((await bob.patchRecord(record.id, 1, { priority: "High" })).status()).toBe(200);
    await alice.getByRole("button", { name: "Save" }).click();
    const dialog = alice.getByRole("dialog");
    await dialog.getByTestId("merge-priority").getByRole("radio", { name: "Take theirs" }).check();

    // The admin saves while Alice is deciding.
    expect((await admin.patchRecord(record.id, 2, { status: "In progress" })).status()).toBe(200);
    await dialog.getByRole("button", { name: "Merge" }).click();

    await expect(dialog).toHaveAccessibleName("Bob and Admin changed this record while you were editing");
    await expect(dialog.getByTestId("merge-status")).toContainText("Only Admin changed this");
    // Alice's decision on Priority still applies: theirs did not change again.
    await expect(dialog.getByTestId("merge-priority").getByRole("radio", { name: "Take theirs" })).toBeChecked();
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect(dialog).toBeHidden();
    const saved = await admin.getRecord(record.id);
    expect(saved.version).toBe(4);
    expect(saved.data).toMatchObject({ title: "Alice's title", priority: "High", status: "In progress" });
    expect(await revisionActions(record.id)).toEqual(["create", "update", "update", "merge"]);
    await Promise.all([admin.dispose(), bob.dispose(), alice.context().close()]);
  });

  test("Discard mine takes theirs, and the discarded edits can be brought back even after a reload", async ({
    browser,
  }) => {
    const admin = await apiAs("admin@example.com");
    const bob = await apiAs("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Discard"), status: "Open" });
    const alice = await openAs(browser, "alice@example.com", record.id);
    await alice.getByLabel("Description").fill("Alice's long explanation");
    expect((await bob.patchRecord(record.id, 1, { description: "Bob's version" })).status()).toBe(200);
    await alice.getByRole("button", { name: "Save" }).click();
    await alice.getByRole("dialog").getByRole("button", { name: "Discard mine" }).click();
    await expect(alice.getByLabel("Description")).toHaveValue("Bob's version");
    await expect(alice.getByTestId("record-version")).toHaveText("version 2");

    await alice.reload();
    await alice.getByRole("button", { name: "Bring my edits back" }).click();
    await expect(alice.getByLabel("Description")).toHaveValue("Alice's long explanation");
    await alice.getByRole("button", { name: "Save" }).click();
    const dialog = alice.getByRole("dialog");
    await dialog.getByTestId("merge-description").getByRole("radio", { name: "Keep mine" }).check();
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect.poll(async () => (await admin.getRecord(record.id)).data.description).toBe("Alice's long explanation");
    await Promise.all([admin.dispose(), bob.dispose(), alice.context().close()]);
  });

  test("typing after closing the dialog is what Merge saves, not the values from when it opened", async ({
    browser,
  }) => {
    const admin = await apiAs("admin@example.com");
    const bob = await apiAs("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Late typing"), status: "Open" });
    const alice = await openAs(browser, "alice@example.com", record.id);
    await alice.getByLabel("Title").fill("First try");
    expect((await bob.patchRecord(record.id, 1, { priority: "High" })).status()).toBe(200);
    await alice.getByRole("button", { name: "Save" }).click();
    const dialog = alice.getByRole("dialog");
    await dialog.getByRole("button", { name: "Keep editing" }).click();
    await alice.getByLabel("Title").fill("Second, better title");
    await alice.getByLabel("Description").fill("Added after closing");
    await alice.getByRole("button", { name: "Review changes" }).click();
    await expect(dialog.getByTestId("merge-description")).toContainText("Only you changed this");
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect(dialog).toBeHidden();
    const saved = await admin.getRecord(record.id);
    expect(saved.data).toMatchObject({
      title: "Second, better title",
      description: "Added after closing",
      priority: "High",
    });
    await Promise.all([admin.dispose(), bob.dispose(), alice.context().close()]);
  });

  test("Esc closes the dialog without losing anything, and it can be reopened", async ({ browser }) => {
    const admin = await apiAs("admin@example.com");
    const bob = await apiAs("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Keyboard"), status: "Open" });
    const alice = await openAs(browser, "alice@example.com", record.id);
    await alice.getByLabel("Title").fill("Typed by Alice");
    expect((await bob.patchRecord(record.id, 1, { priority: "High" })).status()).toBe(200);
    await alice.getByRole("button", { name: "Save" }).click();
    const dialog = alice.getByRole("dialog");
    await expect(dialog).toBeVisible();
    await alice.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(alice.getByLabel("Title")).toHaveValue("Typed by Alice");
    await alice.getByRole("button", { name: "Review changes" }).click();
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Merge" })).toBeEnabled();
    await Promise.all([admin.dispose(), bob.dispose(), alice.context().close()]);
  });
});
