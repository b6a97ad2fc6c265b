import type { Browser, Page } from "@playwright/test";
import { apiAs, BASE_URL, expect, SECOND_URL, signIn, test, unique } from "./fixtures";

const NEW_PASSWORD = "amber kettle harbour 31";

// Several browsers and argon2 sign-ins per test, on a shared 2-core machine.
test.describe.configure({ timeout: 60_000 });

/** Signs in through the form with a password of one's own. */
async function signInWith(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Collections" })).toBeVisible();
}

async function newPage(browser: Browser, baseURL = BASE_URL): Promise<Page> {
  return (await browser.newContext({ baseURL })).newPage();
}

/** The admin invites through /admin/users and reads the link the page shows. */
async function inviteThroughPage(admin: Page, email: string, name: string, role = "editor"): Promise<string> {
  await admin.goto("/admin/users");
  await admin.getByLabel("Email").fill(email);
  await admin.getByLabel("Name", { exact: true }).fill(name);
  await admin.getByLabel("Role", { exact: true }).selectOption(role);
  await admin.getByRole("button", { name: "Invite person" }).click();
  const link = admin.getByTestId("one-time-link");
  await expect(link).toHaveValue(/\/invite\/[A-Za-z0-9_-]+$/);
  return link.inputValue();
}

test("invite → set password → signed in; the used link says so; sign in again with the new password", async ({
  browser,
}) => {
  const admin = await newPage(browser);
  await signIn(admin, "admin@example.com");
  await admin.getByRole("link", { name: "People" }).click();
  await expect(admin.getByRole("heading", { name: "People" })).toBeVisible();
  const email = `${unique("ivy").replaceAll(" ", "-").toLowerCase()}@example.com`;
  const url = await inviteThroughPage(admin, email, "Ivy Invited");
  await expect(admin.getByTestId(`person-${email}`)).toContainText("invited");
  await admin.screenshot({ path: "test-results/people-admin.png", fullPage: true });

  const ivy = await newPage(browser);
  await ivy.goto(url);
  await expect(ivy.getByRole("heading", { name: "Welcome to Tandem" })).toBeVisible();
  await ivy.getByLabel("New password", { exact: true }).fill("password123");
  await ivy.getByLabel("New password again").fill("password123");
  await ivy.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(ivy.getByRole("alert").filter({ hasText: "most common" })).toBeVisible();
  await ivy.screenshot({ path: "test-results/people-invite.png", fullPage: true });
  await ivy.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await ivy.getByLabel("New password again").fill(NEW_PASSWORD);
  await ivy.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(ivy.getByRole("heading", { name: "Collections" })).toBeVisible();
  await expect(ivy.getByTestId("current-user")).toHaveText("Ivy Invited");

  // The link worked once.
  const again = await newPage(browser);
  await again.goto(url);
  await expect(again.getByRole("heading", { name: "This link no longer works" })).toBeVisible();

  await ivy.getByRole("button", { name: "Sign out" }).click();
  await signInWith(ivy, email, NEW_PASSWORD);
  await admin.reload();
  await expect(admin.getByTestId(`person-${email}`)).toContainText("active");

  await Promise.all([admin.context().close(), ivy.context().close(), again.context().close()]);
});

test("an admin deactivates Bea while she has a record open on the other instance: her tab says so at once", async ({
  browser,
}) => {
  const admin = await newPage(browser);
  await signIn(admin, "admin@example.com");
  const email = `${unique("bea").replaceAll(" ", "-").toLowerCase()}@example.com`;
  const url = await inviteThroughPage(admin, email, "Bea");

  const api = await apiAs("admin@example.com");
  const record = await api.createRecord("tickets", { title: unique("Deactivation"), status: "Open", priority: "Low" });

  // Bea works on the second app instance; the admin on the first.
  const bea = await newPage(browser, SECOND_URL);
  await bea.goto(new URL(new URL(url).pathname, SECOND_URL).toString());
  await bea.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await bea.getByLabel("New password again").fill(NEW_PASSWORD);
  await bea.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(bea.getByRole("heading", { name: "Collections" })).toBeVisible();
  await bea.goto(`/records/${record.id}`);
  await bea.getByLabel("Title").fill("Bea's unsaved words");

  // The admin sees her on the record, then deactivates her from the People page.
  const adminRecord = await admin.context().newPage();
  await adminRecord.goto(`/records/${record.id}`);
  await expect(adminRecord.getByText("Bea", { exact: false }).first()).toBeVisible();
  await admin.goto("/admin/users");
  admin.once("dialog", (dialog) => void dialog.accept());
  await admin.getByTestId(`person-${email}`).getByRole("button", { name: "Deactivate" }).click();
  await expect(admin.getByTestId(`person-${email}`)).toContainText("deactivated");

  await expect(bea.getByTestId("access-notice")).toContainText("Your account was deactivated", { timeout: 5_000 });
  await expect(bea.getByLabel("Title")).toHaveValue("Bea's unsaved words");
  await bea.screenshot({ path: "test-results/people-deactivated-tab.png", fullPage: true });

  // Her session is gone on both instances.
  const refused = await bea.request.get(`${SECOND_URL}/api/records/${record.id}`);
  expect(refused.status()).toBe(401);

  await Promise.all([api.dispose(), admin.context().close(), bea.context().close()]);
});

test("a role lowered to viewer turns Rex's open form read-only at once, his edits kept as a draft", async ({
  browser,
}) => {
  const admin = await newPage(browser);
  await signIn(admin, "admin@example.com");
  const email = `${unique("rex").replaceAll(" ", "-").toLowerCase()}@example.com`;
  const url = await inviteThroughPage(admin, email, "Rex");
  const api = await apiAs("admin@example.com");
  const record = await api.createRecord("tickets", { title: unique("Role change"), status: "Open", priority: "Low" });

  const rex = await newPage(browser);
  await rex.goto(url);
  await rex.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await rex.getByLabel("New password again").fill(NEW_PASSWORD);
  await rex.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(rex.getByRole("heading", { name: "Collections" })).toBeVisible();
  await rex.goto(`/records/${record.id}`);
  await rex.getByLabel("Title").fill("Rex's unsaved title");
  await expect(rex.getByRole("button", { name: "Save", exact: true })).toBeVisible();

  await admin.goto("/admin/users");
  const row = admin.getByTestId(`person-${email}`);
  await row.getByLabel("Role of Rex").selectOption("viewer");
  await row.getByRole("button", { name: "Change role" }).click();
  await expect(row.getByRole("status")).toContainText("Rex is now a viewer");

  await expect(rex.getByTestId("access-notice")).toContainText("Your role is now viewer", { timeout: 5_000 });
  await expect(rex.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);
  await expect(rex.getByText("You can view this record; editing needs the editor role.")).toBeVisible();
  await expect
    .poll(() => rex.evaluate((id) => window.localStorage.getItem(`tandem:draft:${id}`), record.id))
    .toContain("Rex's unsaved title");
  await rex.screenshot({ path: "test-results/people-role-lowered-tab.png", fullPage: true });

  await Promise.all([api.dispose(), admin.context().close(), rex.context().close()]);
});

test("settings: a token is shown once and listed by its prefix; sign out everywhere ends my sessions", async ({
  browser,
}) => {
  const admin = await newPage(browser);
  await signIn(admin, "admin@example.com");
  const email = `${unique("sam").replaceAll(" ", "-").toLowerCase()}@example.com`;
  const url = await inviteThroughPage(admin, email, "Sam", "viewer");
  const sam = await newPage(browser);
  await sam.goto(url);
  await sam.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await sam.getByLabel("New password again").fill(NEW_PASSWORD);
  await sam.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(sam.getByRole("heading", { name: "Collections" })).toBeVisible();

  await sam.getByRole("link", { name: "Settings" }).click();
  await expect(sam.getByRole("heading", { name: "Settings" })).toBeVisible();
  await sam.getByLabel("Token name").fill("Weekly report");
  await sam.getByRole("button", { name: "Create token" }).click();
  const shown = sam.getByTestId("one-time-link");
  await expect(shown).toHaveValue(/^tdm_/);
  const token = await shown.inputValue();
  const table = sam.getByRole("table", { name: "My API tokens" });
  await expect(table).toContainText("Weekly report");
  await expect(table).toContainText(token.slice(0, 12));
  await expect(table).not.toContainText(token);
  await sam.screenshot({ path: "test-results/people-settings.png", fullPage: true });

  const withToken = await sam.request.get("/api/collections", { headers: { Authorization: `Bearer ${token}` } });
  expect(withToken.status()).toBe(200);

  sam.once("dialog", (dialog) => void dialog.accept());
  await sam.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(sam.getByRole("heading", { name: "Sign in to Tandem" })).toBeVisible();
  // Tokens stay.
  const after = await sam.request.get("/api/collections", { headers: { Authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(200);

  await Promise.all([admin.context().close(), sam.context().close()]);
});
