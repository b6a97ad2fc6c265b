import type { Browser, Page } from "@playwright/test";
import { apiAs, expect, signIn, test, unique } from "./fixtures";

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

async function unreadOf(page: Page): Promise<number> {
  const label = (await page.getByTestId("notification-bell").getAttribute("aria-label")) ?? "";
  const match = /(\d+) unread/.exec(label);
  return match ? Number(match[1]) : 0;
}

test.describe("history and notifications", () => {
  // Two or three browsers each: on a loaded machine the 30 s default is close.
  test.describe.configure({ timeout: 60_000 });

  test("Bob overwrites Alice's change: her bell shows it live, and Restore mine brings her value back", async ({
    browser,
  }) => {
    const admin = await apiAs("admin@example.com");
    const aliceApi = await apiAs("alice@example.com");
    const title = unique("Overwritten");
    const record = await admin.createRecord("tickets", { title, status: "Open", priority: "Low" });

    const bob = await signedIn(browser, "bob@example.com");
    await bob.goto(`/records/${record.id}`);
    await expect(bob.getByTestId("record-version")).toBeVisible();

    const alice = await signedIn(browser, "alice@example.com");
    await expect(alice.getByTestId("notification-bell")).toBeVisible();
    const before = await unreadOf(alice);

    // Alice sets the priority; Bob, still on version 1, changes the title and overwrites.
    expect((await aliceApi.patchRecord(record.id, 1, { priority: "Urgent" })).status()).toBe(200);
    await bob.getByLabel("Title").fill(`${title} (Bob)`);
    await bob.getByRole("button", { name: "Save" }).click();
    const dialog = bob.getByRole("dialog");
    await dialog.getByRole("button", { name: "Overwrite" }).click();
    await expect(dialog).toBeHidden();

    // Alice's bell, on the page she already had open, counts it within a few seconds.
    await expect(alice.getByTestId("notification-bell")).toHaveAttribute(
      "aria-label",
      `Notifications, ${before + 1} unread`,
      { timeout: 5_000 },
    );
    await alice.getByTestId("notification-bell").click();
    await expect(alice.getByRole("heading", { name: "Notifications" })).toBeVisible();
    const item = alice.getByTestId("notification").filter({ hasText: title });
    await expect(item).toContainText("Bob overwrote your Priority");
    const table = item.getByRole("table", { name: "Yours and theirs" });
    await expect(table.getByRole("row", { name: /Priority/ })).toContainText("Urgent");
    await expect(table.getByRole("row", { name: /Priority/ })).toContainText("Low");
    await alice.screenshot({ path: "test-results/notifications.png", fullPage: true });

    await item.getByRole("button", { name: "Restore mine" }).click();
    await expect(item.getByRole("status")).toContainText("your values are back");
    await expect.poll(async () => (await admin.getRecord(record.id)).data.priority).toBe("Urgent");
    expect((await admin.getRecord(record.id)).data.title).toBe(`${title} (Bob)`);

    await item.getByRole("button", { name: "Mark read" }).click();
    await expect(item.getByText("read", { exact: true })).toBeVisible();
    await Promise.all([admin.dispose(), aliceApi.dispose(), bob.context().close(), alice.context().close()]);
  });

  test("a mention arrives live: Alice's bell and her open record page", async ({ browser }) => {
    const admin = await apiAs("admin@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Mentioned"), status: "Open" });

    const alice = await signedIn(browser, "alice@example.com");
    await alice.goto(`/records/${record.id}`);
    await expect(alice.getByTestId("record-version")).toBeVisible();
    const before = await unreadOf(alice);

    const bob = await signedIn(browser, "bob@example.com");
    await bob.goto(`/records/${record.id}`);
    const box = bob.getByLabel("Add a comment");
    await box.fill("Can you check this, @Ali");
    await bob.getByRole("listbox", { name: "People to mention" }).getByRole("option", { name: "Alice" }).click();
    await expect(box).toHaveValue("Can you check this, @Alice ");
    await box.pressSequentially("<b>not bold</b> https://example.com/x");
    await bob.getByRole("button", { name: "Post comment" }).click();
    await expect(box).toHaveValue("");

    const comment = alice.getByTestId("comment").filter({ hasText: "Can you check this" });
    await expect(comment).toBeVisible({ timeout: 5_000 });
    await expect(comment).toContainText("<b>not bold</b>");
    await expect(comment.getByRole("link", { name: "https://example.com/x" })).toHaveAttribute(
      "rel",
      "noopener noreferrer",
    );
    await expect(alice.getByTestId("notification-bell")).toHaveAttribute(
      "aria-label",
      `Notifications, ${before + 1} unread`,
      { timeout: 5_000 },
    );
    // The comment did not move the record on: Alice's form is still at version 1.
    await expect(alice.getByTestId("record-version")).toContainText("1");
    await alice.screenshot({ path: "test-results/record-comments.png", fullPage: true });
    await Promise.all([admin.dispose(), bob.context().close(), alice.context().close()]);
  });

  test("Restore this version brings an old version back; a stale restore opens the three-way dialog", async ({
    browser,
  }) => {
    const admin = await apiAs("admin@example.com");
    const bobApi = await apiAs("bob@example.com");
    const record = await admin.createRecord("tickets", { title: unique("Restorable"), status: "Open" });
    expect((await bobApi.patchRecord(record.id, 1, { status: "Closed" })).status()).toBe(200);

    const alice = await signedIn(browser, "alice@example.com");
    await alice.route("**/api/records/*/events", (route) => route.abort());
    await alice.goto(`/records/${record.id}`);
    const history = alice.getByRole("list", { name: "Revisions" });
    await expect(history.getByRole("listitem").filter({ hasText: "v2" }).first()).toBeVisible();

    await alice.getByRole("button", { name: "Restore version 1" }).click();
    await expect(alice.getByText("Version 1 is back, as version 3")).toBeVisible();
    await expect.poll(async () => (await admin.getRecord(record.id)).data.status).toBe("Open");
    await expect(history).toContainText("restored an older version (version 1)");

    // Bob saves while Alice looks at version 3: her restore of version 2 writes nothing and opens
    // the editor's three-way dialog (DESIGN.md issue 14): base = version 3 (what she looked at),
    // mine = version 2's values, theirs = version 4, with who changed what. Merge saves.
    // (Her page has no live stream, so her history stays at version 3, as when his save lands
    // between her look and her click; live, the history would show version 4 at once.)
    expect((await bobApi.patchRecord(record.id, 3, { priority: "High" })).status()).toBe(200);
    await alice.getByRole("button", { name: "Restore version 2" }).click();
    const dialog = alice.getByRole("dialog", { name: "Restore version 2: choose what to bring back" });
    await expect(dialog).toBeVisible();
    expect((await admin.getRecord(record.id)).version).toBe(4);
    await expect(dialog.getByTestId("merge-status")).toContainText("Only you changed this");
    await expect(dialog.getByTestId("merge-priority")).toContainText("Only Bob changed this");
    await expect(alice.getByRole("alert").filter({ hasText: "decide field by field in the dialog" })).toContainText(
      "changed since version 3 (now version 4)",
    );
    await alice.screenshot({ path: "test-results/record-history-restore-conflict.png", fullPage: true });
    await dialog.getByRole("button", { name: "Merge" }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.getByRole("status").filter({ hasText: "Merged — version 5" })).toBeVisible();
    const merged = await admin.getRecord(record.id);
    expect(merged.data).toMatchObject({ status: "Closed", priority: "High" });
    await alice.screenshot({ path: "test-results/record-history.png", fullPage: true });
    await Promise.all([admin.dispose(), bobApi.dispose(), alice.context().close()]);
  });

  test("the activity page lists writes with links, filtered by person", async ({ browser }) => {
    const admin = await apiAs("admin@example.com");
    const title = unique("Active");
    const record = await admin.createRecord("tickets", { title, status: "Open" });
    const alice = await signedIn(browser, "alice@example.com");
    await alice.getByRole("link", { name: "Activity" }).click();
    await expect(alice.getByRole("heading", { name: "Activity" })).toBeVisible();
    await expect(alice.getByRole("link", { name: title })).toBeVisible();
    await alice.getByLabel("Person").selectOption({ label: "Bob" });
    await expect(alice.getByRole("link", { name: title })).toBeHidden();
    await alice.getByLabel("Person").selectOption({ label: "Admin" });
    await expect(alice.getByRole("link", { name: title })).toBeVisible();
    await alice.screenshot({ path: "test-results/activity.png", fullPage: true });
    await alice.getByRole("link", { name: title }).click();
    await expect(alice).toHaveURL(new RegExp(`/records/${record.id}`));
    await Promise.all([admin.dispose(), alice.context().close()]);
  });
});
