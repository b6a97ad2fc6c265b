import { apiAs, expect, SECOND_URL, signIn, test, unique } from "./fixtures";

test("a signed-out visitor is sent to sign in, and a wrong password says so", async ({ page }) => {
  await page.goto("/collections/tickets");
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email").fill("alice@example.com");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password." })).toBeVisible();
  await page.getByLabel("Password").fill(process.env.DEMO_PASSWORD || "tandem-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toHaveText("Alice");
});

test("an editor creates a record, edits it and saves a new version", async ({ page }) => {
  const title = unique("Broken stapler");
  await signIn(page, "alice@example.com");
  await page.goto("/collections/tickets/new");
  await page.getByLabel("Title").fill(title);
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByLabel("Status")).toHaveAccessibleDescription("Status is required");
  await page.getByLabel("Status").selectOption("Open");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await expect(page.getByTestId("record-version")).toHaveText("version 1");

  await page.getByLabel("Priority").selectOption("Urgent");
  await page.getByLabel("Description").fill("Jams on every second page.");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Saved — version 2");
  const id = page.url().split("/records/")[1] ?? "";
  const api = await apiAs("carol@example.com");
  await expect(async () => {
    const record = await api.getRecord(id);
    expect(record.version).toBe(2);
    expect(record.data).toMatchObject({
      title,
      status: "Open",
      priority: "Urgent",
      description: "Jams on every second page.",
    });
  }).toPass();
  await expect(page.getByRole("list", { name: "Revisions" })).toContainText("Alice");
  // The value every field had at an earlier version.
  await page.getByRole("button", { name: "Show all values at version 1" }).click();
  const version1 = page.getByLabel("Values at version 1");
  await expect(version1.locator(".field", { hasText: "Priority" }).getByRole("definition")).toHaveText("—");
  await expect(version1.locator(".field", { hasText: "Status" }).getByRole("definition")).toHaveText("Open");
  await page.getByRole("button", { name: "Show all values at version 2" }).click();
  await expect(page.getByLabel("Values at version 2")).toContainText("Urgent");
  await api.dispose();
});

test("when Bob saves first, Alice's save shows who changed what and keeps what she typed", async ({ browser }) => {
  const admin = await apiAs("admin@example.com");
  const record = await admin.createRecord("tickets", {
    title: unique("Shared ticket"),
    status: "Open",
    priority: "Low",
  });
  const alice = await browser.newContext();
  const bob = await browser.newContext();
  const alicePage = await alice.newPage();
  const bobPage = await bob.newPage();
  await signIn(alicePage, "alice@example.com");
  await signIn(bobPage, "bob@example.com");
  await alicePage.goto(`/records/${record.id}`);
  await bobPage.goto(`/records/${record.id}`);

  await alicePage.getByLabel("Description").fill("Alice's careful notes.");
  await bobPage.getByLabel("Priority").selectOption("High");
  await bobPage.getByRole("button", { name: "Save" }).click();
  await expect(bobPage.getByRole("status")).toContainText("Saved — version 2");

  await alicePage.getByRole("button", { name: "Save" }).click();
  const dialog = alicePage.getByRole("dialog", { name: "Bob changed this record while you were editing" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("merge-priority")).toContainText("Bob");
  await dialog.getByRole("button", { name: "Keep editing" }).click();
  await expect(dialog).toBeHidden();
  await expect(alicePage.getByLabel("Description")).toHaveValue("Alice's careful notes.");
  expect((await admin.getRecord(record.id)).version).toBe(2);
  await alice.close();
  await bob.close();
  await admin.dispose();
});

test("a viewer sees the record but no edit controls", async ({ page }) => {
  const admin = await apiAs("admin@example.com");
  const title = unique("Read-only ticket");
  const record = await admin.createRecord("tickets", { title, status: "Open" });
  await signIn(page, "carol@example.com");
  await page.goto("/collections/tickets");
  await expect(page.getByRole("link", { name: "New record" })).toHaveCount(0);
  await page.goto(`/records/${record.id}`);
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await expect(page.getByRole("textbox")).toHaveCount(0);
  await admin.dispose();
});

test("live: an open record learns of someone else's save at once, without the form's base moving", async ({ page }) => {
  const admin = await apiAs("admin@example.com");
  const bob = await apiAs("bob@example.com");
  const record = await admin.createRecord("tickets", { title: unique("Live"), status: "Open" });
  await signIn(page, "alice@example.com");
  await page.goto(`/records/${record.id}`);
  await page.getByLabel("Description").fill("Alice is typing");
  // The page polls every 15 s as a fallback; the event stream must be much faster than that.
  await expect(page.getByTestId("record-version")).toHaveText("version 1");
  expect((await bob.patchRecord(record.id, 1, { priority: "High" })).status()).toBe(200);
  await expect(page.getByRole("status").filter({ hasText: "Bob saved a newer version (version 2)" })).toBeVisible({
    timeout: 5_000,
  });
  await expect(page.getByTestId("record-version")).toHaveText("version 1");
  await expect(page.getByLabel("Description")).toHaveValue("Alice is typing");
  await Promise.all([admin.dispose(), bob.dispose()]);
});

test("presence: Alice sees Bob (on the other app instance) open the record, start editing, and leave", async ({
  browser,
}) => {
  const admin = await apiAs("admin@example.com");
  const record = await admin.createRecord("tickets", { title: unique("Presence"), status: "Open" });

  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, "alice@example.com");
  await alice.goto(`/records/${record.id}`);
  await expect(alice.getByLabel("Title")).toBeVisible();
  // Alone: no presence bar (she is not shown to herself).
  await expect(alice.getByTestId("presence")).toHaveCount(0);

  const bob = await (await browser.newContext({ baseURL: SECOND_URL })).newPage();
  await signIn(bob, "bob@example.com");
  await bob.goto(`/records/${record.id}`);
  const seenByAlice = alice.getByTestId("presence");
  await expect(seenByAlice).toContainText("Also here:");
  await expect(seenByAlice).toContainText("Bob");
  await expect(seenByAlice).not.toContainText("editing");
  await expect(bob.getByTestId("presence")).toContainText("Alice");

  await bob.getByLabel("Description").fill("Bob is typing");
  await expect(seenByAlice).toContainText("Bob · editing");
  await expect(seenByAlice).toContainText("Bob has unsaved changes here");
  await alice.screenshot({ path: "test-results/presence.png" });

  // Bob saves: no unsaved edits any more.
  await bob.getByRole("button", { name: "Save" }).click();
  await expect(bob.getByTestId("record-version")).toHaveText("version 2");
  await expect(seenByAlice).toContainText("Bob");
  await expect(seenByAlice).not.toContainText("editing");

  // Bob leaves: his tab's presence goes with it.
  await bob.context().close();
  await expect(seenByAlice).toHaveCount(0);

  await Promise.all([admin.dispose(), alice.context().close()]);
});
