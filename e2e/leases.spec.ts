import { expect, signIn, test, unique } from "./fixtures";

/** The record's form fields: every text box but the comments box, which sits outside the form and needs no lease. */
const NOT_A_COMMENT = /^(?!Add a comment$)/;

test("a lease: Alice edits, Bob sees her editing read-only, the admin takes over, Alice is told and keeps her draft", async ({
  api,
  recordAs,
}) => {
  const admin = await api("admin@example.com");
  const name = unique("Leased customer");
  const record = await admin.createRecord("customers", { name, tier: "Gold" });

  const alice = await recordAs("alice@example.com", record.id);
  await expect(alice.leaseBanner).toContainText("You are editing this record");
  await alice.field("Company").fill("Alice's draft company");

  const bob = await recordAs("bob@example.com", record.id);
  await expect(bob.page.getByTestId("lease-holder")).toContainText("Alice is editing — since");
  await expect(bob.page.getByTestId("lease-holder")).toContainText("active");
  await expect(bob.page.getByRole("textbox", { name: NOT_A_COMMENT })).toHaveCount(0);
  await expect(bob.button("Save")).toHaveCount(0);
  // The lease is not expired, so Bob (an editor) cannot take over yet.
  await expect(bob.button("Take over")).toHaveCount(0);
  // The table says so too, before anyone opens the record.
  await bob.page.goto(`/collections/customers?q=${encodeURIComponent(name)}`);
  await expect(bob.page.getByRole("row").filter({ hasText: name })).toContainText("Alice is editing");
  await bob.page.screenshot({ path: "test-results/table-editing.png" });
  // Bob gives up (an open page would take the lease as soon as it is free).
  await bob.page.context().close();

  const adminPage = await recordAs("admin@example.com", record.id);
  await expect(adminPage.page.getByTestId("lease-holder")).toContainText("Alice is editing");
  await adminPage.field("Reason for taking over").fill("Customer on the phone");
  await adminPage.button("Take over").click();
  await expect(adminPage.leaseBanner).toContainText("You are editing this record");

  // Alice learns at once (a live lease event; the 5 s poll is only the fallback), her form
  // turns read-only, and her edits are kept.
  await expect(
    alice.page.getByRole("alert").filter({ hasText: "taken over by Admin (Customer on the phone)" }),
  ).toBeVisible({ timeout: 4_000 });
  await expect(alice.page.getByRole("textbox", { name: NOT_A_COMMENT })).toHaveCount(0);
  await expect
    .poll(() => alice.page.evaluate((id) => window.localStorage.getItem(`tandem:draft:${id}`), record.id))
    .toContain("Alice's draft company");

  // The server refuses Alice's writes too: 423 naming the holder.
  const aliceApi = await api("alice@example.com");
  const refused = await aliceApi.patchRecord(record.id, 1, { company: "Sneaky" });
  expect(refused.status()).toBe(423);
  expect(await refused.json()).toMatchObject({ error: "locked", holder: { name: "Admin" } });

  // The admin leaves the record (releasing the lease); Alice edits again and her draft is back.
  await adminPage.page.goto("/");
  await expect(adminPage.page.getByRole("heading", { name: "Collections" })).toBeVisible();
  await alice.button("Edit again").click({ timeout: 4_000 });
  await expect(alice.field("Company")).toHaveValue("Alice's draft company");
  await alice.save();
  await expect.poll(async () => (await admin.getRecord(record.id)).data.company).toBe("Alice's draft company");
});

test("a lease belongs to a tab: Alice's second tab is read-only until she edits there instead; closing it leaves the first tab's edits", async ({
  browser,
  api,
}) => {
  const admin = await api("admin@example.com");
  const record = await admin.createRecord("customers", { name: unique("Two tabs"), tier: "Gold" });
  const context = await browser.newContext();
  const first = await context.newPage();
  await signIn(first, "alice@example.com");
  await first.goto(`/records/${record.id}`);
  await expect(first.getByTestId("lease-banner")).toContainText("You are editing this record");
  await first.getByLabel("Company").fill("Typed in the first tab");

  const second = await context.newPage();
  await second.goto(`/records/${record.id}`);
  await expect(second.getByTestId("lease-holder")).toContainText(
    "You are editing this record in another tab or window",
  );
  await expect(second.getByRole("textbox", { name: NOT_A_COMMENT })).toHaveCount(0);
  await second.screenshot({ path: "test-results/lease-other-tab.png" });

  await second.getByRole("button", { name: "Edit here instead" }).click();
  await expect(second.getByTestId("lease-banner")).toContainText("You are editing this record");
  await expect(second.getByLabel("Company")).toBeEditable();
  // The first tab is told at once, turns read-only and keeps what was typed there.
  await expect(
    first.getByRole("alert").filter({ hasText: "You went on editing in another tab or window" }),
  ).toBeVisible({ timeout: 4_000 });
  await expect(first.getByRole("textbox", { name: NOT_A_COMMENT })).toHaveCount(0);
  await first.screenshot({ path: "test-results/lease-went-elsewhere.png" });

  // Closing the second tab releases its lease; the first tab edits again, with its edits back.
  await second.close({ runBeforeUnload: true });
  await first.getByRole("button", { name: "Edit again" }).click({ timeout: 4_000 });
  await expect(first.getByLabel("Company")).toHaveValue("Typed in the first tab");
  await first.getByRole("button", { name: "Save" }).click();
  await expect.poll(async () => (await admin.getRecord(record.id)).data.company).toBe("Typed in the first tab");

  await context.close();
});
