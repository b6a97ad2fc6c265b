import { expect, SECOND_URL, signIn, test, unique } from "./fixtures";

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

test("an editor creates a record, edits it and saves a new version", async ({ page, api }) => {
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
  const carol = await api("carol@example.com");
  await expect(async () => {
    const record = await carol.getRecord(id);
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
});

test("when Bob saves first, Alice's save shows who changed what and keeps what she typed", async ({
  api,
  recordAs,
}) => {
  const admin = await api("admin@example.com");
  const record = await admin.createRecord("tickets", {
    title: unique("Shared ticket"),
    status: "Open",
    priority: "Low",
  });
  const alicePage = await recordAs("alice@example.com", record.id);
  const bobPage = await recordAs("bob@example.com", record.id);

  await alicePage.field("Description").fill("Alice's careful notes.");
  await bobPage.field("Priority").selectOption("High");
  await bobPage.save();
  await expect(bobPage.status("Saved — version 2")).toBeVisible();

  await alicePage.save();
  const dialog = alicePage.dialog("Bob changed this record while you were editing");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("merge-priority")).toContainText("Bob");
  await dialog.getByRole("button", { name: "Keep editing" }).click();
  await expect(dialog).toBeHidden();
  await expect(alicePage.field("Description")).toHaveValue("Alice's careful notes.");
  expect((await admin.getRecord(record.id)).version).toBe(2);
});

test("a viewer sees the record but no edit controls", async ({ page, api }) => {
  const admin = await api("admin@example.com");
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
});

test("live: an open record learns of someone else's save at once, without the form's base moving", async ({
  page,
  api,
}) => {
  const admin = await api("admin@example.com");
  const bob = await api("bob@example.com");
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
});

test("presence: Alice sees Bob (on the other app instance) open the record, start editing, and leave", async ({
  api,
  recordAs,
}) => {
  const admin = await api("admin@example.com");
  const record = await admin.createRecord("tickets", { title: unique("Presence"), status: "Open" });

  const alice = await recordAs("alice@example.com", record.id);
  await expect(alice.field("Title")).toBeVisible();
  // Alone: no presence bar (she is not shown to herself).
  await expect(alice.presence).toHaveCount(0);

  const bob = await recordAs("bob@example.com", record.id, { baseURL: SECOND_URL });
  const seenByAlice = alice.presence;
  await expect(seenByAlice).toContainText("Also here:");
  await expect(seenByAlice).toContainText("Bob");
  await expect(seenByAlice).not.toContainText("editing");
  await expect(bob.presence).toContainText("Alice");

  await bob.field("Description").fill("Bob is typing");
  await expect(seenByAlice).toContainText("Bob · editing");
  await expect(seenByAlice).toContainText("Bob has unsaved changes here");
  await alice.page.screenshot({ path: "test-results/presence.png" });

  // Bob saves: no unsaved edits any more.
  await bob.save();
  await expect(bob.version).toHaveText("version 2");
  await expect(seenByAlice).toContainText("Bob");
  await expect(seenByAlice).not.toContainText("editing");

  // Bob leaves: his tab's presence goes with it.
  await bob.page.context().close();
  await expect(seenByAlice).toHaveCount(0);
});
