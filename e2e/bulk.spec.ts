import { apiAs, expect, signIn, test, unique } from "./fixtures";

test("an editor bulk-sets Status on selected rows, sees a colleague's conflict by name, and undoes the batch", async ({
  page,
}) => {
  const prefix = unique("Bulk");
  const alice = await apiAs("alice@example.com");
  const records = [];
  for (const n of [1, 2, 3])
    records.push(await alice.createRecord("tickets", { title: `${prefix} ${n}`, status: "Open" }));
  const [first, second, third] = records;
  if (!first || !second || !third) throw new Error("records");

  await signIn(page, "alice@example.com");
  await page.goto(`/collections/tickets?q=${encodeURIComponent(prefix)}&sort=title&dir=asc`);
  await page.getByRole("checkbox", { name: `Select ${prefix} 1` }).click();
  await page.getByRole("checkbox", { name: `Select ${prefix} 3` }).click({ modifiers: ["Shift"] });
  const bar = page.getByTestId("bulk-bar");
  await expect(bar).toContainText("3 records selected");

  // Bob changes the second ticket's status after Alice read it (his client signs in now: an idle
  // keep-alive connection from earlier may have been closed by the server meanwhile).
  const bob = await apiAs("bob@example.com");
  expect((await bob.patchRecord(second.id, 1, { status: "Resolved" })).status()).toBe(200);

  await bar.getByRole("button", { name: "Set a field" }).click();
  await bar.getByLabel("Field").selectOption({ label: "Status" });
  await bar.getByLabel("New Status").selectOption("Closed");
  await page.screenshot({ path: "test-results/bulk-bar.png", fullPage: true });
  await bar.getByRole("button", { name: "Apply to 3 records…" }).click();
  const dialog = page.getByRole("dialog", { name: "Set Status on 3 records?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Apply to 3 records" }).click();

  const report = page.getByRole("region", { name: "Bulk edit result" });
  await expect(report.getByTestId("batch-summary").first()).toHaveText("2 updated, 1 conflict");
  await expect(report).toContainText("Bob changed Status");
  await expect(report.getByRole("link", { name: `${prefix} 2` })).toHaveAttribute("href", `/records/${second.id}`);
  await page.screenshot({ path: "test-results/bulk-result.png", fullPage: true });
  await expect.poll(async () => (await alice.getRecord(first.id)).data.status).toBe("Closed");

  await report.getByRole("button", { name: "Undo this batch" }).click();
  await expect(report.getByTestId("batch-summary").nth(1)).toHaveText("2 updated");
  expect((await alice.getRecord(first.id)).data.status).toBe("Open");
  expect((await alice.getRecord(third.id)).data.status).toBe("Open");
  expect((await alice.getRecord(second.id)).data.status).toBe("Resolved");
  await alice.dispose();
  await bob.dispose();
});

test("a viewer sees no selection", async ({ page }) => {
  await signIn(page, "carol@example.com");
  await page.goto("/collections/tickets");
  await expect(page.getByRole("table")).toBeVisible();
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Import CSV" })).toHaveCount(0);
});

test("an import with a conflicting row and a bad row: dry run report, then the same report applied", async ({
  page,
}) => {
  const prefix = unique("Import");
  const alice = await apiAs("alice@example.com");
  const bob = await apiAs("bob@example.com");
  const kept = await alice.createRecord("tickets", { title: `${prefix} kept`, status: "Open" });
  const clash = await alice.createRecord("tickets", { title: `${prefix} clash`, status: "Open" });
  expect((await bob.patchRecord(clash.id, 1, { status: "Resolved" })).status()).toBe(200);
  const csv = [
    "id,version,Title,Status",
    `${kept.id},1,${prefix} kept (renamed),Open`,
    `${clash.id},1,${prefix} clash,Closed`,
    `,,${prefix} new,Open`,
    `,,${prefix} bad,Sideways`,
  ].join("\r\n");

  await signIn(page, "alice@example.com");
  await page.goto("/collections/tickets");
  await page.getByRole("link", { name: "Import CSV" }).click();
  await expect(page.getByRole("heading", { name: "Import CSV into Tickets" })).toBeVisible();
  await page
    .getByLabel("CSV file")
    .setInputFiles({ name: "tickets.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Check file (dry run)" }).click();
  const dry = page.getByRole("region", { name: "Dry run report" });
  await expect(dry.getByTestId("import-summary")).toHaveText(
    "If you apply it now: 1 updated, 1 conflict, 1 invalid, 1 created.",
  );
  await expect(dry).toContainText("Bob changed Status");
  await expect(dry).toContainText("Status: Must be one of");
  await expect(page.getByLabel("Column “Status”")).toHaveValue("status");
  await page.screenshot({ path: "test-results/import-dry-run.png", fullPage: true });
  expect((await alice.getRecord(kept.id)).version).toBe(1);

  await page.getByRole("button", { name: "Apply import" }).click();
  const done = page.getByRole("region", { name: "Import report" });
  await expect(done.getByTestId("import-summary")).toHaveText("Result: 1 updated, 1 conflict, 1 invalid, 1 created.");
  await expect(done.getByRole("link", { name: "Download the report (CSV)" })).toBeVisible();
  expect((await alice.getRecord(kept.id)).data.title).toBe(`${prefix} kept (renamed)`);
  expect((await alice.getRecord(clash.id)).data.status).toBe("Resolved");
  await alice.dispose();
  await bob.dispose();
});

test("a record the bulk edit could not write opens with the batch's values as mine, and saving shows the conflict", async ({
  page,
}) => {
  const prefix = unique("Resolve");
  const alice = await apiAs("alice@example.com");
  const record = await alice.createRecord("tickets", { title: `${prefix} 1`, status: "Open" });
  await signIn(page, "alice@example.com");
  await page.goto(`/collections/tickets?q=${encodeURIComponent(prefix)}`);
  await page.getByRole("checkbox", { name: `Select ${prefix} 1` }).click();
  const bob = await apiAs("bob@example.com");
  expect((await bob.patchRecord(record.id, 1, { status: "Resolved" })).status()).toBe(200);
  const bar = page.getByTestId("bulk-bar");
  await bar.getByRole("button", { name: "Set a field" }).click();
  await bar.getByLabel("Field").selectOption({ label: "Status" });
  await bar.getByLabel("New Status").selectOption("Closed");
  await bar.getByRole("button", { name: "Apply to 1 record…" }).click();
  await page
    .getByRole("dialog", { name: "Set Status on 1 record?" })
    .getByRole("button", { name: "Apply to 1 record" })
    .click();
  await page.getByRole("button", { name: `Resolve ${prefix} 1 with my values` }).click();
  await expect(page).toHaveURL(new RegExp(`/records/${record.id}`));
  await page.getByRole("button", { name: "Restore your unsaved changes" }).click();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expect(page.getByRole("dialog")).toContainText("Bob");
  await alice.dispose();
  await bob.dispose();
});

test("select all N matching, then bulk-set a multi-select and a person field", async ({ page }) => {
  const prefix = unique("Pickers");
  const alice = await apiAs("alice@example.com");
  const bob = await apiAs("bob@example.com");
  const first = await alice.createRecord("tickets", { title: `${prefix} 1`, status: "Open" });
  // Bob's own record tells the test his id.
  const second = (await bob.createRecord("tickets", { title: `${prefix} 2`, status: "Open", tags: ["billing"] })) as {
    id: string;
    createdBy?: { id: string };
  };
  const bobId = second.createdBy?.id;
  expect(bobId).toEqual(expect.any(String));

  await signIn(page, "alice@example.com");
  await page.goto(`/collections/tickets?q=${encodeURIComponent(prefix)}`);
  await page.getByRole("checkbox", { name: `Select ${prefix} 1` }).click();
  const bar = page.getByTestId("bulk-bar");
  // The list's own count is on the button before anything is fetched.
  await bar.getByRole("button", { name: "Select all 2 matching" }).click();
  await expect(bar).toContainText("2 records selected");

  await bar.getByRole("button", { name: "Set a field" }).click();
  await bar.getByLabel("Field").selectOption({ label: "Tags" });
  const tags = bar.getByRole("group", { name: "New Tags" });
  await tags.getByRole("checkbox", { name: "bug" }).check();
  await tags.getByRole("checkbox", { name: "hardware" }).check();
  await bar.getByRole("button", { name: "Set another field" }).click();
  await bar.getByLabel("Field").nth(1).selectOption({ label: "Assignee" });
  await bar.getByLabel("New Assignee").selectOption({ label: "Bob" });
  await page.screenshot({ path: "test-results/bulk-bar-pickers.png", fullPage: true });
  await bar.getByRole("button", { name: "Apply to 2 records…" }).click();
  const dialog = page.getByRole("dialog", { name: "Set Tags, Assignee on 2 records?" });
  await expect(dialog).toContainText("Tags → bug, hardware");
  await expect(dialog).toContainText("Assignee → Bob");
  await dialog.getByRole("button", { name: "Apply to 2 records" }).click();
  await expect(page.getByRole("region", { name: "Bulk edit result" }).getByTestId("batch-summary").first()).toHaveText(
    "2 updated",
  );
  for (const id of [first.id, second.id]) {
    const stored = await alice.getRecord(id);
    expect(stored.data.tags).toEqual(["bug", "hardware"]);
    expect(stored.data.assignee).toBe(bobId);
  }
  await alice.dispose();
  await bob.dispose();
});
