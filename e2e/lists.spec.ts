import { apiAs, BASE_URL, expect, SECOND_URL, signIn, test, unique } from "./fixtures";

const shot = (name: string) => `test-results/lists-${name}.png`;

test("Alice filters her open tickets and shares the view; Bob opens it by URL; Bob's edit is marked in place", async ({
  browser,
}) => {
  // Two people, two app instances, four pages: longer than one page's budget on a busy machine.
  test.setTimeout(60_000);
  const prefix = unique("Lists");
  const api = await apiAs("alice@example.com");
  // Assignee is a person field: its values are user ids.
  const idOf = async (who: Awaited<ReturnType<typeof apiAs>>) =>
    ((await (await who.context.get("/api/me", { headers: who.headers })).json()) as { id: string }).id;
  const aliceId = await idOf(api);
  const bobLookup = await apiAs("bob@example.com");
  const bobId = await idOf(bobLookup);
  await bobLookup.dispose();
  const mine1 = await api.createRecord("tickets", { title: `${prefix} printer`, status: "Open", assignee: aliceId });
  const mine2 = await api.createRecord("tickets", { title: `${prefix} scanner`, status: "Open", assignee: aliceId });
  await api.createRecord("tickets", { title: `${prefix} closed`, status: "Closed", assignee: aliceId });
  await api.createRecord("tickets", { title: `${prefix} bobs`, status: "Open", assignee: bobId });

  const alice = await browser.newContext({ baseURL: BASE_URL });
  const page = await alice.newPage();
  await signIn(page, "alice@example.com");
  await page.goto("/collections/tickets");
  await page.getByRole("button", { name: "Edit filters" }).click();
  const filters = page.getByRole("region", { name: "Filters" });
  await filters.getByRole("button", { name: "Add condition" }).first().click();
  await page.getByLabel("Field of condition 1").selectOption({ label: "Status" });
  await page.getByLabel("Operator of condition 1").selectOption({ label: "is any of" });
  await page.getByRole("checkbox", { name: "Open" }).check();
  await filters.getByRole("button", { name: "Add condition" }).first().click();
  await page.getByLabel("Field of condition 2").selectOption({ label: "Assignee" });
  await page.getByLabel("Operator of condition 2").selectOption({ label: "is" });
  await page.getByLabel("Value of condition 2").selectOption({ label: "Alice" });
  await filters.getByRole("button", { name: "Add condition" }).first().click();
  await page.getByLabel("Field of condition 3").selectOption({ label: "Title" });
  await page.getByLabel("Operator of condition 3").selectOption({ label: "contains" });
  await page.getByLabel("Value of condition 3").fill(prefix);
  await page.screenshot({ path: shot("filter-editor"), fullPage: true });
  await page.getByRole("button", { name: "Apply filters" }).click();

  const rows = page.getByTestId("record-row");
  await expect(rows).toHaveCount(2);
  await expect(page).toHaveURL(/filter=/);
  const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-record-id")));
  expect(new Set(order)).toEqual(new Set([mine1.id, mine2.id]));

  const viewName = unique("My open tickets");
  await page.getByRole("button", { name: "Save as new view" }).click();
  const dialog = page.getByRole("dialog", { name: "Save as a new view" });
  await dialog.getByLabel("View name").fill(viewName);
  await dialog.getByLabel("Share with everyone").check();
  await dialog.getByRole("button", { name: "Save view" }).click();
  await expect(page).toHaveURL(/view=[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: `Tickets: ${viewName}` })).toBeVisible();
  await expect(rows).toHaveCount(2);
  await page.screenshot({ path: shot("view"), fullPage: true });
  const viewUrl = new URL(page.url());

  // Bob, on the other app instance, opens the shared view by its URL.
  const bob = await browser.newContext({ baseURL: SECOND_URL });
  const bobPage = await bob.newPage();
  await signIn(bobPage, "bob@example.com");
  await bobPage.goto(`${SECOND_URL}${viewUrl.pathname}${viewUrl.search}`);
  // Filters with $me mean each person's own: this one names Alice, so Bob sees her rows.
  await expect(bobPage.getByRole("heading", { name: `Tickets: ${viewName}` })).toBeVisible();
  await expect(bobPage.getByTestId("record-row")).toHaveCount(2);
  expect(
    new Set(
      await bobPage.getByTestId("record-row").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-record-id"))),
    ),
  ).toEqual(new Set(order));

  // Bob opens the first listed record's page on the other instance: Alice's row shows it live.
  const first = order[0] ?? "";
  const target = order[1] ?? "";
  const bobRecord = await bob.newPage();
  await bobRecord.goto(`${SECOND_URL}/records/${first}`);
  await expect(bobRecord.getByLabel("Title")).toBeVisible();
  const firstRow = page.locator(`[data-record-id="${first}"]`);
  await expect(firstRow.getByTestId("row-presence")).toHaveText("Bob viewing", { timeout: 5_000 });
  // Bob starts typing (unsaved edits): the row says so.
  await bobRecord.getByLabel("Title").fill(`${prefix} printer (draft)`);
  await expect(firstRow.getByTestId("row-presence")).toHaveText("Bob editing", { timeout: 5_000 });
  await page.screenshot({ path: shot("presence"), fullPage: true });
  await bobRecord.close();
  await expect(firstRow.getByTestId("row-presence")).toHaveCount(0, { timeout: 5_000 });

  // Bob edits the second listed record through the other instance: Alice's row is marked, nothing moves.
  const bobApi = await apiAs("bob@example.com", SECOND_URL);
  const current = await bobApi.getRecord(target);
  const response = await bobApi.patchRecord(target, current.version, { priority: "Urgent" });
  expect(response.status()).toBe(200);
  const marked = page.locator(`[data-record-id="${target}"]`).getByTestId("row-changed");
  await expect(marked).toContainText("Changed by Bob", { timeout: 5_000 });
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-record-id")))).toEqual(order);
  // Changed in place and still matching: marked, not counted as a change of the list.
  await expect(page.getByTestId("live-banner")).toHaveCount(0);

  // A new matching record, and one that leaves the list: counted apart; still nothing moves.
  const added = await bobApi.createRecord("tickets", { title: `${prefix} toner`, status: "Open", assignee: aliceId });
  await expect(page.getByTestId("live-banner")).toHaveText("1 change since you loaded: 1 new match — Show", {
    timeout: 5_000,
  });
  const firstNow = await bobApi.getRecord(first);
  expect((await bobApi.patchRecord(first, firstNow.version, { status: "Closed" })).status()).toBe(200);
  await expect(page.getByTestId("live-banner")).toHaveText(
    "2 changes since you loaded: 1 new match, 1 no longer matches or deleted — Show",
    { timeout: 5_000 },
  );
  await expect(firstRow.getByTestId("row-changed")).toContainText("No longer matches: changed by Bob");
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-record-id")))).toEqual(order);
  await page.screenshot({ path: shot("marked"), fullPage: true });

  // Show: the list again, with the same view (and so its filter and sort).
  const before = page.url();
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.getByTestId("live-banner")).toHaveCount(0);
  await expect(rows).toHaveCount(2);
  expect(new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-record-id"))))).toEqual(
    new Set([target, added.id]),
  );
  expect(page.url()).toBe(before);
  await expect(page.getByRole("heading", { name: `Tickets: ${viewName}` })).toBeVisible();
  await expect(page.getByTestId("row-changed")).toHaveCount(0);

  await bobApi.dispose();
  await api.dispose();
  await alice.close();
  await bob.close();
});

test("the trash lists a deleted record with who and when, and restores it", async ({ page }) => {
  const api = await apiAs("alice@example.com");
  const title = unique("Binned");
  const record = await api.createRecord("tickets", { title, status: "Open" });
  const deleted = await api.context.delete(`/api/records/${record.id}`, {
    headers: { ...api.headers, "If-Match": '"1"' },
  });
  expect(deleted.status()).toBe(204);

  await signIn(page, "bob@example.com");
  await page.goto("/collections/tickets");
  await page.getByRole("link", { name: "Trash" }).click();
  await expect(page.getByRole("heading", { name: "Trash: Tickets" })).toBeVisible();
  await page.getByLabel("Search the trash").fill(title);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.getByTestId("trash-row").filter({ hasText: title });
  await expect(row).toContainText("by Alice");
  await page.screenshot({ path: shot("trash"), fullPage: true });
  await row.getByRole("button", { name: `Restore ${title}` }).click();
  await expect(page.getByTestId("trash-row").filter({ hasText: title })).toHaveCount(0);
  await expect(async () => {
    const back = await api.getRecord(record.id);
    expect(back.version).toBe(3);
  }).toPass();
  await api.dispose();
});

test("saving over a shared view someone changed meanwhile asks first; rows show who has a record open", async ({
  browser,
}) => {
  const alice = await apiAs("alice@example.com");
  const admin = await apiAs("admin@example.com");
  const title = unique("Watched");
  const record = await alice.createRecord("tickets", { title, status: "Open" });
  const created = await alice.context.post("/api/collections/tickets/views", {
    headers: alice.headers,
    data: { name: unique("Team open"), shared: true, filter: { title: { _contains: title } } },
  });
  expect(created.status()).toBe(201);
  const view = (await created.json()) as { id: string; name: string };

  // Bob has the record open.
  const bobPage = await (await browser.newContext()).newPage();
  await signIn(bobPage, "bob@example.com");
  await bobPage.goto(`/records/${record.id}`);
  await expect(bobPage.getByLabel("Title")).toBeVisible();

  const page = await (await browser.newContext()).newPage();
  await signIn(page, "alice@example.com");
  await page.goto(`/collections/tickets?view=${view.id}`);
  const row = page.locator(`[data-record-id="${record.id}"]`);
  await expect(row.getByTestId("row-presence")).toHaveText("Bob viewing");

  // The admin renames the view; Alice, still on version 1, sorts by title and saves.
  const renamed = await admin.context.patch(`/api/views/${view.id}`, {
    headers: { ...admin.headers, "If-Match": '"1"' },
    data: { name: `${view.name} (renamed)` },
  });
  expect(renamed.status()).toBe(200);
  await page.getByRole("link", { name: "Title" }).click();
  await expect(page).toHaveURL(/sort=title/);
  await page.getByRole("button", { name: "Save changes to view" }).click();
  const dialog = page.getByRole("dialog", { name: "Someone changed this view meanwhile" });
  await expect(dialog).toContainText("Admin changed name");
  await page.screenshot({ path: shot("view-conflict"), fullPage: true });
  await expect(dialog.getByRole("button", { name: "Take theirs" })).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Save mine as a new view" })).toBeVisible();
  await dialog.getByRole("button", { name: "Overwrite with mine" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(async () => {
    const response = await alice.context.get(`/api/views/${view.id}`, { headers: alice.headers });
    expect(await response.json()).toMatchObject({
      version: 3,
      sort: "title",
      dir: "asc",
      name: `${view.name} (renamed)`,
    });
  }).toPass();
  await Promise.all([alice.dispose(), admin.dispose()]);
});

test("each person chooses the table's columns (which, order, width) and they are remembered", async ({ page }) => {
  await signIn(page, "carol@example.com");
  await page.goto("/collections/events");
  // The checkbox column of bulk selection (editors) has no text: the named columns are checked.
  const headers = page.getByRole("columnheader").filter({ hasText: /\S/ });
  await expect(headers).toHaveText(["Name", "Date", "Venue", "Capacity", "Updated"].map((h) => new RegExp(`^${h}`)));
  await page.getByRole("button", { name: "Columns" }).click();
  const panel = page.getByRole("region", { name: "Choose columns" });
  await panel.getByRole("button", { name: "Hide Venue" }).click();
  await panel.getByRole("button", { name: "Move Capacity left" }).click();
  await panel.getByRole("button", { name: "+ Created by" }).click();
  await panel.getByLabel("Width of Name in pixels").fill("360");
  await page.screenshot({ path: shot("columns"), fullPage: true });
  await panel.getByRole("button", { name: "Save columns" }).click();
  await expect(headers).toHaveText(
    ["Name", "Capacity", "Date", "Updated", "Created by"].map((h) => new RegExp(`^${h}`)),
  );
  await expect(page.getByRole("separator", { name: "Resize Name column" })).toHaveAttribute("aria-valuenow", "360");
  await page.reload();
  await expect(headers).toHaveText(
    ["Name", "Capacity", "Date", "Updated", "Created by"].map((h) => new RegExp(`^${h}`)),
  );
  await expect(page.getByRole("separator", { name: "Resize Name column" })).toHaveAttribute("aria-valuenow", "360");
  // Someone else's table is untouched.
  const other = await page.context().browser()?.newContext();
  if (!other) throw new Error("no browser");
  const alice = await other.newPage();
  await signIn(alice, "alice@example.com");
  await alice.goto("/collections/events");
  await expect(alice.getByRole("columnheader").filter({ hasText: /\S/ })).toHaveText(
    ["Name", "Date", "Venue", "Capacity", "Updated"].map((h) => new RegExp(`^${h}`)),
  );
  await other.close();
});

test("a column's edge drags to resize it, the arrow keys do too, and the widths are remembered", async ({ page }) => {
  await signIn(page, "bob@example.com");
  await page.goto("/collections/events");
  const name = page.getByRole("columnheader", { name: /^Name/ });
  const handle = page.getByRole("separator", { name: "Resize Name column" });
  await expect(handle).toBeVisible();
  const start = (await name.boundingBox())?.width ?? 0;
  const box = await handle.boundingBox();
  if (!box) throw new Error("the resize handle has no box");
  const saved = () =>
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/collections/events"));
  const dragged = saved();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await dragged;
  const widened = Number(await handle.getAttribute("aria-valuenow"));
  expect(widened).toBeGreaterThan(start + 100);
  expect(widened).toBeLessThan(start + 140);
  await expect.poll(async () => (await name.boundingBox())?.width ?? 0).toBeGreaterThan(start + 60);

  // The keyboard: focus the Date column's edge and press → three times (10 px each).
  const date = page.getByRole("separator", { name: "Resize Date column" });
  await date.focus();
  await date.press("ArrowRight");
  const dateStart = Number(await date.getAttribute("aria-valuenow"));
  // The save after the keys pause carries the last width.
  const keyed = page.waitForResponse(
    (r) => r.request().method() === "POST" && (r.request().postData() ?? "").includes(`"width":${dateStart + 20}`),
  );
  await date.press("ArrowRight");
  await date.press("ArrowRight");
  await expect(date).toHaveAttribute("aria-valuenow", String(dateStart + 20));
  await keyed;
  await page.screenshot({ path: shot("resized"), fullPage: true });

  await page.reload();
  await expect(handle).toHaveAttribute("aria-valuenow", String(widened));
  await expect(date).toHaveAttribute("aria-valuenow", String(dateStart + 20));
});

test("an OR group filters, the URL keeps it (back and forward work), and a view opens by default", async ({ page }) => {
  const prefix = unique("OrGroup");
  const api = await apiAs("alice@example.com");
  const open = await api.createRecord("tickets", { title: `${prefix} open`, status: "Open", priority: "Low" });
  const urgent = await api.createRecord("tickets", { title: `${prefix} urgent`, status: "Closed", priority: "Urgent" });
  await api.createRecord("tickets", { title: `${prefix} neither`, status: "Closed", priority: "Low" });
  await api.dispose();

  await signIn(page, "alice@example.com");
  await page.goto("/collections/tickets");
  const rows = page.getByTestId("record-row");
  await page.getByRole("button", { name: "Edit filters" }).click();
  const filters = page.getByRole("region", { name: "Filters" });
  const all = filters.getByRole("group", { name: "All of these" });
  await all.getByRole("button", { name: "Add condition" }).click();
  await all.getByLabel("Field of condition 1").selectOption({ label: "Title" });
  await all.getByLabel("Operator of condition 1").selectOption({ label: "contains" });
  await all.getByLabel("Value of condition 1").fill(prefix);
  await filters.getByRole("button", { name: "Add OR group" }).click();
  const first = filters.getByRole("group", { name: "And any one of these groups" });
  // A new group starts with one condition.
  await first.getByLabel("Field of condition 1").selectOption({ label: "Status" });
  await first.getByLabel("Operator of condition 1").selectOption({ label: "is any of" });
  await first.getByRole("checkbox", { name: "Open" }).check();
  await filters.getByRole("button", { name: "Add OR group" }).click();
  const second = filters.getByRole("group", { name: "or", exact: true });
  await second.getByLabel("Field of condition 1").selectOption({ label: "Priority" });
  await second.getByLabel("Operator of condition 1").selectOption({ label: "is any of" });
  await second.getByRole("checkbox", { name: "Urgent" }).check();
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/filter=.*_or/);
  await expect(rows).toHaveCount(2);
  const ids = async () => new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-record-id"))));
  expect(await ids()).toEqual(new Set([open.id, urgent.id]));
  const filteredUrl = page.url();

  await page.goBack();
  await expect(page).not.toHaveURL(/filter=/);
  await expect(page.locator(`[data-record-id="${urgent.id}"]`)).toHaveCount(1);
  await expect.poll(() => rows.count()).toBeGreaterThan(2);
  await page.goForward();
  await expect(page).toHaveURL(filteredUrl);
  await expect(rows).toHaveCount(2);

  // Saved as my view and made my default: the bare list opens it.
  const viewName = unique("Open or urgent");
  await page.getByRole("button", { name: "Save as new view" }).click();
  const dialog = page.getByRole("dialog", { name: "Save as a new view" });
  await dialog.getByLabel("View name").fill(viewName);
  await dialog.getByRole("button", { name: "Save view" }).click();
  await expect(page).toHaveURL(/view=[0-9a-f-]{36}$/);
  const viewUrl = page.url();
  await page.getByRole("button", { name: "Open this view by default" }).click();
  await expect(page.getByRole("button", { name: "Stop opening this view by default" })).toBeVisible();
  await page.goto("/collections/tickets");
  await expect(page).toHaveURL(viewUrl);
  await expect(page.getByRole("heading", { name: `Tickets: ${viewName}` })).toBeVisible();
  await expect(rows).toHaveCount(2);
  await page.getByRole("button", { name: "Stop opening this view by default" }).click();
  await expect(page.getByRole("button", { name: "Open this view by default" })).toBeVisible();
  await page.goto("/collections/tickets");
  await expect(page).toHaveURL(/\/collections\/tickets$/);

  // The quick filters: "Changed by me" (Alice made all three) and "Changed today".
  await page.getByRole("button", { name: "Changed by me" }).click();
  await expect(page).toHaveURL(/updatedBy.*%24me/);
  await expect(page.locator(`[data-record-id="${urgent.id}"]`)).toHaveCount(1);
  await expect(page.getByRole("region", { name: "Filters" }).getByText(/Updated by .*\bme$/)).toBeVisible();
  await page.getByRole("button", { name: "Changed today" }).click();
  await expect(page).toHaveURL(/updatedAt.*_gte/);
  await expect(page.locator(`[data-record-id="${open.id}"]`)).toHaveCount(1);

  // A filter that cannot be (a hand-edited URL) says why, and lists everything instead of failing.
  await page.goto(`/collections/tickets?filter=${encodeURIComponent('{"nope":{"_eq":1}}')}`);
  await expect(page.getByRole("alert").filter({ hasText: 'unknown key "nope"' })).toBeVisible();
  await expect.poll(() => rows.count()).toBeGreaterThan(2);
});
