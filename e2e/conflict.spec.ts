import { type Api, expect, test, unique } from "./fixtures";

async function revisionActions(api: (email: string) => Promise<Api>, id: string): Promise<string[]> {
  const carol = await api("carol@example.com");
  const response = await carol.context.get(`/api/records/${id}/revisions`, { headers: carol.headers });
  const revisions = (await response.json()) as { action: string }[];
  return revisions.map((r) => r.action).reverse();
}

test.describe("the conflict dialog", () => {
  test("different fields: Bob's change is shown as his, and Merge keeps both", async ({ api, recordAs }) => {
    const admin = await api("admin@example.com");
    const bob = await api("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Merge me"), status: "Open", priority: "Low" });
    const alice = await recordAs("alice@example.com", record.id);

    await alice.field("Description").fill("Alice wrote this.");
    expect((await bob.patchRecord(record.id, 1, { priority: "High" })).status()).toBe(200);
    await alice.save();

    const dialog = alice.dialog("Bob changed this record while you were editing");
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId("merge-priority")).toContainText("Only Bob changed this");
    await expect(dialog.getByTestId("merge-priority")).toContainText("Bob, just now");
    await expect(dialog.getByTestId("merge-description")).toContainText("Only you changed this");
    await alice.page.screenshot({ path: "test-results/conflict-dialog-merge.png" });
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.status("Merged — version 3")).toBeVisible();

    const saved = await admin.getRecord(record.id);
    expect(saved.version).toBe(3);
    expect(saved.data).toMatchObject({ priority: "High", description: "Alice wrote this." });
    expect(await revisionActions(api, record.id)).toEqual(["create", "update", "merge"]);
  });

  test("same field: the merge waits for Alice's decision, and hers is saved", async ({ api, recordAs }) => {
    const admin = await api("admin@example.com");
    const bob = await api("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Same field"), status: "Open" });
    const alice = await recordAs("alice@example.com", record.id);

    await alice.field("Status").selectOption("Resolved");
    expect((await bob.patchRecord(record.id, 1, { status: "In progress" })).status()).toBe(200);
    await alice.save();

    const dialog = alice.dialog();
    const status = dialog.getByTestId("merge-status");
    await expect(status).toContainText("You both changed this");
    await expect(dialog.getByRole("button", { name: "Merge" })).toBeDisabled();
    await status.getByRole("radio", { name: "Keep mine" }).check();
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect(dialog).toBeHidden();
    await expect.poll(async () => (await admin.getRecord(record.id)).data.status).toBe("Resolved");
    expect(await revisionActions(api, record.id)).toEqual(["create", "update", "merge"]);
  });

  test("Overwrite names the change it reverts and is recorded as an overwrite", async ({ api, recordAs }) => {
    const admin = await api("admin@example.com");
    const bob = await api("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Overwrite"), status: "Open", priority: "Low" });
    const alice = await recordAs("alice@example.com", record.id);

    await alice.field("Title").fill("Alice's title");
    expect((await bob.patchRecord(record.id, 1, { priority: "Urgent" })).status()).toBe(200);
    await alice.save();

    const dialog = alice.dialog();
    await expect(dialog.getByTestId("overwrite-reverts")).toContainText(
      "reverts their changes to Priority (Bob: Urgent)",
    );
    await dialog.getByRole("button", { name: "Overwrite" }).click();
    await expect(dialog).toBeHidden();
    const saved = await admin.getRecord(record.id);
    expect(saved.data).toMatchObject({ title: "Alice's title", priority: "Low" });
    expect(await revisionActions(api, record.id)).toEqual(["create", "update", "overwrite"]);
  });

  test("a reload mid-edit offers the unsaved changes back, and restores them", async ({ api, recordAs }) => {
    const admin = await api("admin@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Draft"), status: "Open" });
    const alice = await recordAs("alice@example.com", record.id);

    await alice.field("Description").fill("Half-written thought");
    await expect(alice.page.getByText("kept as a draft in this browser")).toBeVisible();
    await expect
      .poll(() => alice.page.evaluate((id) => window.localStorage.getItem(`tandem:draft:${id}`), record.id))
      .toContain("Half-written thought");
    alice.page.once("dialog", (d) => void d.accept()); // the leave warning
    await alice.page.reload();
    await expect(alice.field("Description")).toHaveValue("");
    await alice.button("Restore your unsaved changes").click();
    await expect(alice.field("Description")).toHaveValue("Half-written thought");
    await alice.save();
    await expect.poll(async () => (await admin.getRecord(record.id)).data.description).toBe("Half-written thought");
  });

  test("Bob deletes the record while Alice edits: she can restore it with her edits", async ({ api, recordAs }) => {
    const admin = await api("admin@example.com");
    const bob = await api("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Deleted"), status: "Open" });
    const alice = await recordAs("alice@example.com", record.id);

    await alice.field("Description").fill("Worth keeping");
    const deleted = await bob.context.delete(`/api/records/${record.id}`, {
      headers: { ...bob.headers, "If-Match": '"1"' },
    });
    expect(deleted.status()).toBe(204);
    await alice.save();

    const dialog = alice.dialog("Bob deleted this record while you were editing");
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Restore with my edits" }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.status("Restored — version 3")).toBeVisible();
    const restored = await admin.getRecord(record.id);
    expect(restored.data).toMatchObject({ description: "Worth keeping" });
    expect(await revisionActions(api, record.id)).toEqual(["create", "delete", "restore"]);
  });

  test("a third save while the dialog is open: the merge conflicts again and shows the newer change", async ({
    api,
    recordAs,
  }) => {
    const admin = await api("admin@example.com");
    const bob = await api("bob@example.com");
    const record = await admin.createRecord("tickets", {
      title: unique("Three people"),
      status: "Open",
      priority: "Low",
    });
    const alice = await recordAs("alice@example.com", record.id);

    await alice.field("Title").fill("Alice's title");
    await alice.field("Priority").selectOption("Normal");
    expect((await bob.patchRecord(record.id, 1, { priority: "High" })).status()).toBe(200);
    await alice.save();
    const dialog = alice.dialog();
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
    expect(await revisionActions(api, record.id)).toEqual(["create", "update", "update", "merge"]);
  });

  test("Discard mine takes theirs, and the discarded edits can be brought back even after a reload", async ({
    api,
    recordAs,
  }) => {
    const admin = await api("admin@example.com");
    const bob = await api("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Discard"), status: "Open" });
    const alice = await recordAs("alice@example.com", record.id);
    await alice.field("Description").fill("Alice's long explanation");
    expect((await bob.patchRecord(record.id, 1, { description: "Bob's version" })).status()).toBe(200);
    await alice.save();
    await alice.dialog().getByRole("button", { name: "Discard mine" }).click();
    await expect(alice.field("Description")).toHaveValue("Bob's version");
    await expect(alice.version).toHaveText("version 2");

    await alice.page.reload();
    await alice.button("Bring my edits back").click();
    await expect(alice.field("Description")).toHaveValue("Alice's long explanation");
    await alice.save();
    const dialog = alice.dialog();
    await dialog.getByTestId("merge-description").getByRole("radio", { name: "Keep mine" }).check();
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect.poll(async () => (await admin.getRecord(record.id)).data.description).toBe("Alice's long explanation");
  });

  test("typing after closing the dialog is what Merge saves, not the values from when it opened", async ({
    api,
    recordAs,
  }) => {
    const admin = await api("admin@example.com");
    const bob = await api("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Late typing"), status: "Open" });
    const alice = await recordAs("alice@example.com", record.id);
    await alice.field("Title").fill("First try");
    expect((await bob.patchRecord(record.id, 1, { priority: "High" })).status()).toBe(200);
    await alice.save();
    const dialog = alice.dialog();
    await dialog.getByRole("button", { name: "Keep editing" }).click();
    await alice.field("Title").fill("Second, better title");
    await alice.field("Description").fill("Added after closing");
    await alice.button("Review changes").click();
    await expect(dialog.getByTestId("merge-description")).toContainText("Only you changed this");
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect(dialog).toBeHidden();
    const saved = await admin.getRecord(record.id);
    expect(saved.data).toMatchObject({
      title: "Second, better title",
      description: "Added after closing",
      priority: "High",
    });
  });

  test("Esc closes the dialog without losing anything, and it can be reopened", async ({ api, recordAs }) => {
    const admin = await api("admin@example.com");
    const bob = await api("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Keyboard"), status: "Open" });
    const alice = await recordAs("alice@example.com", record.id);
    await alice.field("Title").fill("Typed by Alice");
    expect((await bob.patchRecord(record.id, 1, { priority: "High" })).status()).toBe(200);
    await alice.save();
    const dialog = alice.dialog();
    await expect(dialog).toBeVisible();
    await alice.page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(alice.field("Title")).toHaveValue("Typed by Alice");
    await alice.button("Review changes").click();
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Merge" })).toBeEnabled();
  });

  test("?restore=<version> opens the dialog with that version's values as mine, and Merge brings them back", async ({
    api,
    recordAs,
  }) => {
    const admin = await api("admin@example.com");
    const bob = await api("bob@example.com");
    const title = unique("Restore me");
    const record = await admin.createRecord("tickets", { title, status: "Open", priority: "Low" });
    expect((await bob.patchRecord(record.id, 1, { priority: "Urgent", status: "Resolved" })).status()).toBe(200);

    const alice = await recordAs("alice@example.com", `${record.id}?restore=1`);
    const dialog = alice.dialog("Restore version 1: choose what to bring back");
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId("merge-priority")).toContainText("Only you changed this");
    await dialog.getByTestId("merge-status").getByRole("radio", { name: "Take theirs" }).check();
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.status("Merged — version 3")).toBeVisible();
    const saved = await admin.getRecord(record.id);
    expect(saved.data).toMatchObject({ title, priority: "Low", status: "Resolved" });
    expect(await revisionActions(api, record.id)).toEqual(["create", "update", "merge"]);
  });

  test("?restore=<version>&from=<version looked at>: base is what was looked at, and theirs names who changed what since", async ({
    api,
    recordAs,
  }) => {
    const admin = await api("admin@example.com");
    const bob = await api("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Looked at"), status: "Open", priority: "Low" });
    expect((await bob.patchRecord(record.id, 1, { status: "Resolved" })).status()).toBe(200);
    expect((await bob.patchRecord(record.id, 2, { priority: "Urgent" })).status()).toBe(200);

    // Looking at version 2, Alice restores version 1: only Bob's later priority change is "theirs".
    const alice = await recordAs("alice@example.com", `${record.id}?restore=1&from=2`);
    const dialog = alice.dialog("Restore version 1: choose what to bring back");
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText("you started from version 2");
    await expect(dialog.getByTestId("merge-status")).toContainText("Only you changed this");
    await expect(dialog.getByTestId("merge-priority")).toContainText("Only Bob changed this");
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.status("Merged — version 4")).toBeVisible();
    expect((await admin.getRecord(record.id)).data).toMatchObject({ status: "Open", priority: "Urgent" });
  });
});
