import { request as playwrightRequest } from "@playwright/test";
import { apiAs, BASE_URL, expect, SECOND_URL, test, unique } from "./fixtures";

/**
 * Edit leases through the HTTP API against two app instances on one PostgreSQL (e2e/serve.ts):
 * the lease lives in the database only, so both instances must agree on who holds it.
 */

type Api = Awaited<ReturnType<typeof apiAs>>;
type LeaseBody = { holder: { id: string; name: string } | null; error?: string; expiresAt?: string };

const ROUNDS = 12;

async function postLease(api: Api, id: string, query = "", data?: unknown) {
  const response = await api.context.post(`/api/records/${id}/lease${query}`, { headers: api.headers, data });
  return { status: response.status(), body: (await response.json()) as LeaseBody };
}

async function getLease(api: Api, id: string): Promise<LeaseBody> {
  const response = await api.context.get(`/api/records/${id}/lease`, { headers: api.headers });
  expect(response.status()).toBe(200);
  return (await response.json()) as LeaseBody;
}

test.describe("edit leases across two app instances", () => {
  const users: Record<"alice" | "bob" | "admin", Api[]> = { alice: [], bob: [], admin: [] };

  test.beforeAll(async () => {
    // Playwright waits for the first instance only; the second starts alongside it.
    const probe = await playwrightRequest.newContext();
    await expect(async () => {
      expect((await probe.get(`${SECOND_URL}/api/health`)).status()).toBe(200);
    }).toPass({ timeout: 30_000 });
    await probe.dispose();
    for (const name of ["alice", "bob", "admin"] as const) {
      users[name] = [await apiAs(`${name}@example.com`, BASE_URL), await apiAs(`${name}@example.com`, SECOND_URL)];
    }
  });

  test.afterAll(async () => {
    await Promise.all(Object.values(users).flatMap((apis) => apis.map((api) => api.dispose())));
  });

  /** The user's client on instance 0 (BASE_URL) or 1 (SECOND_URL). */
  const as = (name: keyof typeof users, instance: number): Api => {
    const api = users[name][instance % 2];
    if (!api) throw new Error(`no client for ${name}`);
    return api;
  };

  test(`three users racing for a lease through both instances: exactly one holder, ${ROUNDS} times over`, async () => {
    const names = ["alice", "bob", "admin"] as const;
    for (let round = 0; round < ROUNDS; round++) {
      const record = await as("admin", round).createRecord("customers", { name: unique("Race") });
      // Each contender goes through a different instance than the one before it, and it alternates per round.
      const contenders = names.map((name, i) => as(name, round + i));

      const answers = await Promise.all(contenders.map((api) => postLease(api, record.id)));

      const winners = answers.filter((a) => a.status === 200);
      const locked = answers.filter((a) => a.status === 423);
      expect(winners, `round ${round}: ${JSON.stringify(answers)}`).toHaveLength(1);
      expect(locked).toHaveLength(names.length - 1);
      const holder = winners[0]?.body.holder;
      for (const answer of locked) {
        expect(answer.body).toMatchObject({ error: "locked", holder });
      }
      // Both instances see the same holder, and only the holder's PATCH gets through.
      expect((await getLease(as("bob", 0), record.id)).holder).toEqual(holder);
      expect((await getLease(as("bob", 1), record.id)).holder).toEqual(holder);
      const patches = await Promise.all(
        contenders.map((api, i) => api.patchRecord(record.id, 1, { notes: `from contender ${i}` })),
      );
      const patchStatuses = patches.map((p) => p.status());
      expect(patchStatuses.filter((s) => s === 200)).toHaveLength(1);
      expect(patchStatuses.filter((s) => s === 423)).toHaveLength(names.length - 1);
      const winnerIndex = answers.findIndex((a) => a.status === 200);
      expect(patchStatuses[winnerIndex]).toBe(200);
    }
  });

  test("a take-over on one instance is enforced on the other; the old holder's PATCH gets 423", async () => {
    const record = await as("admin", 0).createRecord("customers", { name: unique("Contract") });

    expect((await postLease(as("alice", 0), record.id)).status).toBe(200);
    const bobTakeover = await postLease(as("bob", 1), record.id, "?takeover=1", { reason: "Mine now" });
    expect(bobTakeover.status).toBe(403);
    const adminTakeover = await postLease(as("admin", 1), record.id, "?takeover=1", {
      reason: "Contract goes out today",
    });
    expect(adminTakeover.status).toBe(200);
    expect(adminTakeover.body.holder?.name).toBe("Admin");

    const alicePatch = await as("alice", 0).patchRecord(record.id, 1, { notes: "Alice's edit" });
    expect(alicePatch.status()).toBe(423);
    expect(await alicePatch.json()).toMatchObject({ error: "locked", holder: { name: "Admin" } });
    const aliceAgain = await postLease(as("alice", 1), record.id);
    expect(aliceAgain).toMatchObject({ status: 423, body: { error: "locked", holder: { name: "Admin" } } });

    const released = await as("admin", 0).context.delete(`/api/records/${record.id}/lease`, {
      headers: as("admin", 0).headers,
    });
    expect(released.status()).toBe(204);
    expect((await getLease(as("alice", 1), record.id)).holder).toBeNull();
    expect((await postLease(as("alice", 1), record.id)).status).toBe(200);
    expect((await as("alice", 0).patchRecord(record.id, 1, { notes: "Alice's edit" })).status()).toBe(200);
  });
});
