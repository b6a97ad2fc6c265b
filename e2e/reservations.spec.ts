import type { APIResponse } from "@playwright/test";
import { type Api, apiAs, BASE_URL, expect, SECOND_URL, test, unique } from "./fixtures";

type Reservation = {
  id: string;
  seats: number;
  user: { id: string; name: string };
  at: string;
  cancelledAt: string | null;
  cancelledBy: { id: string; name: string } | null;
};
type Summary = { capacity: number; taken: number; remaining: number; reservations: Reservation[] };
type Outcome = { status: number; body: Record<string, unknown> };

/** The second app instance (e2e/serve.ts) starts alongside the first; wait until it answers. */
async function secondInstanceUp(): Promise<void> {
  await expect(async () => {
    const response = await fetch(`${SECOND_URL}/api/health`);
    expect(response.status).toBe(200);
  }).toPass({ timeout: 60_000 });
}

async function outcome(response: APIResponse): Promise<Outcome> {
  const text = await response.text();
  return { status: response.status(), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function reserve(api: Api, recordId: string, seats: unknown, headers: Record<string, string> = {}) {
  return api.context
    .post(`/api/records/${recordId}/reservations`, { data: { seats }, headers: { ...api.headers, ...headers } })
    .then(outcome);
}

function cancel(api: Api, recordId: string, reservationId: string) {
  return api.context
    .delete(`/api/records/${recordId}/reservations/${reservationId}`, { headers: api.headers })
    .then(outcome);
}

async function summary(api: Api, recordId: string): Promise<Summary> {
  const response = await api.context.get(`/api/records/${recordId}/reservations`, { headers: api.headers });
  expect(response.status()).toBe(200);
  return (await response.json()) as Summary;
}

function activeSeats(s: Summary): number {
  return s.reservations.filter((r) => !r.cancelledAt).reduce((sum, r) => sum + r.seats, 0);
}

function newEvent(api: Api, capacity: number, extra: Record<string, unknown> = {}) {
  return api.createRecord("events", { name: unique("Launch"), date: "2027-03-01", capacity, ...extra });
}

test.describe("reservations through the HTTP API on two app instances", () => {
  // Hundreds of requests plus six argon2 sign-ins on a small machine: more room than one page's test.
  test.describe.configure({ timeout: 120_000 });
  let admin: Api;
  /** Editors signed in on the first and on the second instance (the last is the admin, on the second). */
  let editors: Api[];

  // Fresh clients per test: no test reuses another's idle keep-alive connections.
  test.beforeEach(async () => {
    await secondInstanceUp();
    admin = await apiAs("admin@example.com", BASE_URL);
    editors = [
      await apiAs("alice@example.com", BASE_URL),
      await apiAs("bob@example.com", SECOND_URL),
      await apiAs("alice@example.com", SECOND_URL),
      await apiAs("bob@example.com", BASE_URL),
      await apiAs("admin@example.com", SECOND_URL),
    ];
  });

  test.afterEach(async () => {
    for (const api of [admin, ...editors]) await api.dispose();
  });

  test("200 concurrent single-seat reservations sell exactly 50 seats", async () => {
    const event = await newEvent(admin, 50);

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => reserve(editors[i % editors.length] ?? admin, event.id, 1)),
    );

    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results.filter((r) => r.status === 201)).toHaveLength(50);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(150);
    for (const r of refused) {
      expect(r.body).toEqual({ error: "insufficient_capacity", remaining: 0, message: "No seats left." });
    }
    const end = await summary(admin, event.id);
    expect(end).toMatchObject({ capacity: 50, taken: 50, remaining: 0 });
    expect(end.reservations).toHaveLength(50);
    expect(activeSeats(end)).toBe(50);
    // Reservations leave the record's version alone.
    expect((await admin.getRecord(event.id)).version).toBe(1);
  });

  test("mixed sizes with concurrent cancellations and capacity edits keep taken = sum(active) ≤ capacity", async () => {
    const event = await newEvent(admin, 40);
    const earlier: { id: string; owner: Api }[] = [];
    for (let i = 0; i < 10; i++) {
      const owner = editors[i % 4] ?? admin;
      const made = await reserve(owner, event.id, 1 + (i % 3));
      expect(made.status).toBe(201);
      earlier.push({ id: (made.body.reservation as Reservation).id, owner });
    }

    const reservations = Array.from({ length: 80 }, (_, i) =>
      reserve(editors[i % editors.length] ?? admin, event.id, 1 + (i % 4)),
    );
    const cancellations = earlier.flatMap((r, i) => [
      cancel(r.owner, event.id, r.id),
      ...(i % 2 === 0 ? [cancel(admin, event.id, r.id)] : []),
    ]);
    const capacityEdits = (async () => {
      const outcomes: Outcome[] = [];
      for (const [i, capacity] of [30, 12, 55, 35, 60].entries()) {
        const api = i % 2 ? (editors[4] ?? admin) : admin; // the admin, through either instance
        const current = await api.getRecord(event.id);
        outcomes.push(await outcome(await api.patchRecord(event.id, current.version, { capacity })));
      }
      return outcomes;
    })();
    const [reserved, cancelled, edited] = await Promise.all([
      Promise.all(reservations),
      Promise.all(cancellations),
      capacityEdits,
    ]);

    const all = [...reserved, ...cancelled, ...edited];
    expect(all.filter((r) => r.status >= 500)).toEqual([]);
    expect(reserved.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
    expect(cancelled.filter((r) => r.status !== 200)).toEqual([]);
    for (const r of edited) {
      if (r.status === 200) continue;
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({
        error: "invalid",
        fields: { capacity: expect.stringMatching(/already reserved/) },
      });
    }

    const end = await summary(admin, event.id);
    const record = await admin.getRecord(event.id);
    const sold = reserved
      .filter((r) => r.status === 201)
      .reduce((sum, r) => sum + (r.body.reservation as Reservation).seats, 0);
    expect(end.taken).toBe(activeSeats(end));
    expect(end.taken).toBe(sold); // every earlier reservation was cancelled, once
    expect(end.taken).toBeLessThanOrEqual(end.capacity);
    expect(end.capacity).toBe(record.data.capacity);
    expect(end.remaining).toBe(end.capacity - end.taken);
    expect(record.version).toBe(1 + edited.filter((r) => r.status === 200).length);
  });

  test("answers 201, 409, 422, 404, 403 and 401 as documented, and cancels once", async () => {
    const [alice, bob] = editors;
    if (!alice || !bob) throw new Error("editors missing");
    const event = await newEvent(admin, 3);

    const made = await reserve(alice, event.id, 2);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      remaining: 1,
      reservation: { seats: 2, user: { name: "Alice" }, cancelledAt: null },
    });
    const reservation = made.body.reservation as Reservation;

    expect(await reserve(bob, event.id, 2)).toEqual({
      status: 409,
      body: { error: "insufficient_capacity", remaining: 1, message: "Only 1 seat left." },
    });
    for (const seats of [0, -1, 1.5, 11, "2", null]) {
      const refused = await reserve(bob, event.id, seats);
      expect(refused.status, `seats ${String(seats)}`).toBe(422);
      expect(refused.body).toMatchObject({ error: "invalid", fields: { seats: expect.any(String) } });
    }
    const extraKey = await bob.context.post(`/api/records/${event.id}/reservations`, {
      data: { seats: 1, note: "window seat" },
      headers: bob.headers,
    });
    expect(extraKey.status()).toBe(422);
    const malformed = await bob.context.post(`/api/records/${event.id}/reservations`, {
      data: Buffer.from("{seats:"),
      headers: { ...bob.headers, "Content-Type": "application/json" },
    });
    expect(malformed.status()).toBe(400);

    const ticket = await admin.createRecord("tickets", { title: unique("No seats"), status: "Open" });
    for (const id of ["00000000-0000-4000-8000-000000000000", "nope", ticket.id]) {
      expect((await reserve(bob, id, 1)).status, id).toBe(404);
    }

    const carol = await apiAs("carol@example.com", SECOND_URL);
    expect((await reserve(carol, event.id, 1)).status).toBe(403);
    expect((await summary(carol, event.id)).taken).toBe(2);
    expect((await cancel(carol, event.id, reservation.id)).status).toBe(403);
    await carol.dispose();
    const anonymous = await fetch(`${SECOND_URL}/api/records/${event.id}/reservations`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ seats: 1 }),
    });
    expect(anonymous.status).toBe(401);

    // Lowering the capacity below the seats taken is refused, naming the field.
    const tooLow = await outcome(await admin.patchRecord(event.id, 1, { capacity: 1 }));
    expect(tooLow).toMatchObject({
      status: 422,
      body: { fields: { capacity: "2 seats are already reserved; capacity cannot be lower than 2" } },
    });

    expect((await cancel(bob, event.id, reservation.id)).status).toBe(403);
    expect((await cancel(alice, event.id, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    const first = await cancel(alice, event.id, reservation.id);
    const again = await cancel(alice, event.id, reservation.id);
    expect(first).toMatchObject({
      status: 200,
      body: { remaining: 3, reservation: { cancelledBy: { name: "Alice" } } },
    });
    expect(again).toMatchObject({ status: 200, body: { remaining: 3 } });
    expect(await summary(admin, event.id)).toMatchObject({ capacity: 3, taken: 0, remaining: 3 });
  });

  test("a repeated request with the same Idempotency-Key reserves once", async () => {
    const [alice] = editors;
    if (!alice) throw new Error("editors missing");
    const event = await newEvent(admin, 10);
    const key = { "Idempotency-Key": unique("reserve").replaceAll(" ", "-") };

    const results = await Promise.all(Array.from({ length: 5 }, () => reserve(alice, event.id, 2, key)));

    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => (r.body.reservation as Reservation).id)).size).toBe(1);
    expect(await summary(admin, event.id)).toMatchObject({ taken: 2, remaining: 8 });
  });
});

test.describe("the reservations panel", () => {
  test("an editor reserves seats, sees the remaining seats drop, and cancels", async ({ api, recordAs }, testInfo) => {
    const admin = await api("admin@example.com");
    const event = await newEvent(admin, 5);
    const record = await recordAs("alice@example.com", event.id);
    const { page } = record;
    const panel = page.getByRole("region", { name: "Reservations" });
    await expect(panel.getByTestId("seats-remaining")).toHaveText("5");

    await panel.getByLabel("Seats", { exact: true }).fill("2");
    await panel.getByRole("button", { name: "Reserve 2 seats" }).click();
    await expect(panel.getByRole("status")).toHaveText("Reserved 2 seats.");
    await expect(panel.getByTestId("seats-remaining")).toHaveText("3");
    await expect(panel.getByTestId("seats-taken")).toHaveText("2");
    const row = panel.getByRole("row").filter({ hasText: "Alice" });
    await expect(row).toContainText("Active");

    await panel.getByLabel("Seats", { exact: true }).fill("4");
    await panel.getByRole("button", { name: "Reserve 4 seats" }).click();
    await expect(panel.getByRole("alert")).toHaveText("Only 3 seats left.");
    await expect(panel.getByTestId("seats-remaining")).toHaveText("3");
    await page.screenshot({ path: testInfo.outputPath("reservations-panel.png"), fullPage: true });

    await panel.getByRole("button", { name: "Cancel my reservation of 2 seats" }).click();
    await expect(panel.getByTestId("seats-remaining")).toHaveText("5");
    await expect(row).toContainText("Cancelled by Alice");
    await expect(panel.getByRole("button", { name: /^Cancel/ })).toHaveCount(0);
    await expect(async () => {
      expect(await summary(admin, event.id)).toMatchObject({ taken: 0, remaining: 5 });
    }).toPass();
  });

  test("someone who changed only the description saves without a conflict while others reserve", async ({
    api,
    recordAs,
  }) => {
    await secondInstanceUp();
    const admin = await api("admin@example.com");
    const bob = await api("bob@example.com", SECOND_URL);
    const event = await newEvent(admin, 10, { description: "Drinks at six." });
    const record = await recordAs("alice@example.com", event.id);
    const { page } = record;
    await record.field("Description").fill("Drinks at seven.");

    for (const seats of [3, 2]) expect((await reserve(bob, event.id, seats)).status).toBe(201);
    await record.save();

    await expect(record.status("Saved — version 2")).toBeVisible();
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(page.getByText("while you were editing")).toHaveCount(0);
    // The save moved the version, so the panel recounted: Bob's seats show.
    await expect(page.getByRole("region", { name: "Reservations" }).getByTestId("seats-taken")).toHaveText("5");
    expect((await admin.getRecord(event.id)).data).toMatchObject({ description: "Drinks at seven.", capacity: 10 });
  });

  test("lowering the capacity below the seats taken is refused under the field", async ({ api, recordAs }) => {
    const admin = await api("admin@example.com");
    const event = await newEvent(admin, 10);
    expect((await reserve(admin, event.id, 4)).status).toBe(201);
    const record = await recordAs("alice@example.com", event.id);

    await record.field("Capacity").fill("3");
    await record.save();

    await expect(record.field("Capacity")).toHaveAccessibleDescription(
      "4 seats are already reserved; capacity cannot be lower than 4",
    );
    expect(await admin.getRecord(event.id)).toMatchObject({ version: 1, data: { capacity: 10 } });
  });

  test("a viewer sees the seats and who reserved them, but no controls", async ({ api, recordAs }) => {
    const admin = await api("admin@example.com");
    const event = await newEvent(admin, 8);
    expect((await reserve(admin, event.id, 3)).status).toBe(201);
    const record = await recordAs("carol@example.com", event.id);
    const { page } = record;
    const panel = page.getByRole("region", { name: "Reservations" });

    await expect(panel.getByTestId("seats-remaining")).toHaveText("5");
    await expect(panel.getByRole("row").filter({ hasText: "Admin" })).toContainText("3");
    await expect(panel.getByLabel("Seats", { exact: true })).toHaveCount(0);
    await expect(panel.getByRole("button")).toHaveCount(0);
  });
});
