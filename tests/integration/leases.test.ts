import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Database, openPostgres, queryRows, type Tx } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import { type AcquireLeaseResult, acquireLease } from "@/lib/leases/acquire-lease";
import { getLease, liveLeaseHolders } from "@/lib/leases/lease-queries";
import { listLeaseEvents, listLeases } from "@/lib/leases/list-leases";
import { releaseLease } from "@/lib/leases/release-lease";
import { deleteRecord } from "@/lib/records/delete-record";
import type { RecordView } from "@/lib/records/record-view";
import { restoreRecord } from "@/lib/records/restore-record";
import { saveRecord } from "@/lib/records/save-record";
import { whileLocked } from "../support/lock-gate";
import { setUpTestDatabase } from "../support/set-up-test-database";
import {
  createTestRecord,
  createUser,
  storedRevisions,
  type TestDatabase,
  type TestUser,
} from "../support/test-database";

const FIELDS: FieldDefinition[] = [
  { key: "name", label: "Name", type: "text", required: true },
  { key: "notes", label: "Notes", type: "longtext" },
];

const CONTENDERS = 20;

let database: TestDatabase;
let customers: string;
let tickets: string;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;

const setup = setUpTestDatabase({
  max: 10,
  collections: {
    customers: { fields: FIELDS, name: "Customers", editMode: "lease" },
    tickets: { fields: FIELDS, name: "Tickets", editMode: "optimistic" },
  },
  users: { alice: { name: "Alice" }, bob: { name: "Bob" }, admin: { name: "Admin", role: "admin" } },
});

beforeAll(() => {
  ({ database } = setup);
  customers = setup.collections.customers.slug;
  tickets = setup.collections.tickets.slug;
  ({ alice, bob, admin } = setup.users);
});

afterEach(() => {
  delete process.env.LEASE_TTL_SECONDS;
});

function newCustomer(name = "Ada Lovelace"): Promise<RecordView> {
  return createTestRecord(database.db, admin, { slug: customers }, { name });
}

async function acquired(result: AcquireLeaseResult) {
  if (!result.ok) throw new Error(`expected the lease, got ${JSON.stringify(result.error)}`);
  return result;
}

/** Lets the lease run out, as the database's clock sees it (no sleeping). */
async function expireLease(recordId: string): Promise<void> {
  await queryRows(
    database.db,
    sql`update leases set expires_at = now() - interval '1 second' where record_id = ${recordId}`,
  );
}

async function leaseRows(recordId: string) {
  return queryRows<{ user_id: string }>(database.db, sql`select user_id from leases where record_id = ${recordId}`);
}

async function eventRows(recordId: string) {
  return queryRows<{ action: string; actor_id: string; previous_holder_id: string | null; reason: string | null }>(
    database.db,
    sql`select action, actor_id, previous_holder_id, reason from lease_events where record_id = ${recordId} order by at, id`,
  );
}

async function currentRow(id: string) {
  const [row] = await queryRows<{ version: number; data: Record<string, unknown> }>(
    database.db,
    sql`select version, data from records where id = ${id}`,
  );
  return row;
}

function whileHeld<T>(
  options: { waiters: number; rollback?: boolean },
  hold: (tx: Tx) => Promise<unknown>,
  start: () => Promise<T>,
  beforeEnd: (tx: Tx) => Promise<unknown> = async () => {},
): Promise<T> {
  return whileLocked(database.url, { ...options, timeoutMs: 30_000 }, hold, start, beforeEnd);
}

describe("acquiring a lease under concurrency", () => {
  let clients: Database[] = [];

  beforeAll(async () => {
    // One client with one connection per contender: every acquisition runs in its own session.
    clients = await Promise.all(Array.from({ length: CONTENDERS }, () => openPostgres(database.url, { max: 1 })));
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  it(`gives a free record to exactly one of ${CONTENDERS} users; the other ${CONTENDERS - 1} are locked naming that holder`, async () => {
    const record = await newCustomer();
    const users = await Promise.all(Array.from({ length: CONTENDERS }, () => createUser(database.db)));
    const gatekeeper = await createUser(database.db);

    // An uncommitted lease row makes every contender's INSERT … ON CONFLICT wait for it; the
    // rollback then lets all of them race for a free record at once.
    const results = await whileHeld(
      { waiters: CONTENDERS, rollback: true },
      (tx) =>
        tx.execute(
          sql`insert into leases (record_id, user_id, expires_at) values (${record.id}, ${gatekeeper.id}, now() + interval '1 minute')`,
        ),
      () =>
        Promise.all(users.map((user, i) => acquireLease((clients[i] as Database).db, user, { recordId: record.id }))),
    );

    const winners = results.flatMap((r) => (r.ok ? [r.lease] : []));
    const locked = results.flatMap((r) => (!r.ok && r.error.code === "locked" ? [r.error] : []));
    expect(winners).toHaveLength(1);
    expect(locked).toHaveLength(CONTENDERS - 1);
    const holder = winners[0]?.holder;
    expect(users.map((u) => u.id)).toContain(holder?.id);
    for (const error of locked) {
      expect(error.holder).toEqual(holder);
      expect(error.message).toContain(`${holder?.name} is editing`);
      expect(error.expiresAt).toBe(winners[0]?.expiresAt);
    }
    expect(await leaseRows(record.id)).toEqual([{ user_id: holder?.id }]);
    expect(await eventRows(record.id)).toEqual([]);
  });

  it("a lease that commits while others wait to insert one leaves them locked, naming its holder, with no row changed", async () => {
    // The contenders saw no lease row and hold the record; the lease they then meet was
    // committed meanwhile. They must not lock it while holding the record (a save locks the
    // lease first: that order reversed is a deadlock); they start over and are refused.
    const record = await newCustomer();
    const users = await Promise.all(Array.from({ length: CONTENDERS }, () => createUser(database.db)));
    const holder = await createUser(database.db);
    const results = await whileHeld(
      { waiters: CONTENDERS },
      (tx) =>
        tx.execute(
          sql`insert into leases (record_id, user_id, expires_at) values (${record.id}, ${holder.id}, now() + interval '1 minute')`,
        ),
      () =>
        Promise.all(users.map((user, i) => acquireLease((clients[i] as Database).db, user, { recordId: record.id }))),
    );
    const locked = results.flatMap((r) => (!r.ok && r.error.code === "locked" ? [r.error] : []));
    expect(locked).toHaveLength(CONTENDERS);
    for (const error of locked) expect(error.holder?.id).toBe(holder.id);
    const lease = await getLease(database.db, record.id);
    expect(lease?.holder.id).toBe(holder.id);
  });

  it(`lets exactly one of ${CONTENDERS} users take over an expired lease, recorded once`, async () => {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));
    await expireLease(record.id);
    const users = await Promise.all(Array.from({ length: CONTENDERS }, () => createUser(database.db)));

    // Alice's row is locked while all contenders line up behind it, then released at once.
    const results = await whileHeld(
      { waiters: CONTENDERS },
      (tx) => tx.execute(sql`select 1 from leases where record_id = ${record.id} for update`),
      () =>
        Promise.all(
          users.map((user, i) =>
            acquireLease((clients[i] as Database).db, user, { recordId: record.id, takeover: i % 2 === 0 }),
          ),
        ),
    );

    const winners = results.flatMap((r) => (r.ok ? [r] : []));
    const locked = results.flatMap((r) => (!r.ok && r.error.code === "locked" ? [r.error] : []));
    const forbidden = results.filter((r) => !r.ok && r.error.code === "forbidden");
    expect(winners).toHaveLength(1);
    // Plain acquisitions are told who has it now; take-over requests that came too late are refused.
    expect(locked.length + forbidden.length).toBe(CONTENDERS - 1);
    const winner = winners[0];
    expect(winner?.tookOver?.previousHolder).toEqual({ id: alice.id, name: "Alice" });
    for (const error of locked) expect(error.holder).toEqual(winner?.lease.holder);
    expect(await leaseRows(record.id)).toEqual([{ user_id: winner?.lease.holder.id }]);
    expect(await eventRows(record.id)).toEqual([
      {
        action: "takeover",
        actor_id: winner?.lease.holder.id,
        previous_holder_id: alice.id,
        reason: "The lease had expired.",
      },
    ]);
  });
});

describe("expiry and take-over", () => {
  it("lasts LEASE_TTL_SECONDS (default 120 s), read at call time, and a renewal extends it", async () => {
    const record = await newCustomer();
    const ttl = () =>
      queryRows<{ seconds: number; same_start: boolean }>(
        database.db,
        sql`select extract(epoch from expires_at - renewed_at)::float as seconds, acquired_at <= renewed_at as same_start
              from leases where record_id = ${record.id}`,
      );

    const first = await acquired(await acquireLease(database.db, alice, { recordId: record.id }));
    expect((await ttl())[0]?.seconds).toBe(120);

    process.env.LEASE_TTL_SECONDS = "1";
    const renewed = await acquired(await acquireLease(database.db, alice, { recordId: record.id, renew: true }));
    expect((await ttl())[0]?.seconds).toBe(1);
    expect(renewed.lease.acquiredAt).toBe(first.lease.acquiredAt);
    expect(renewed.lease.holder).toEqual({ id: alice.id, name: "Alice" });
    expect(renewed.tookOver).toBeNull();
  });

  it("before expiry: another editor is locked and may not take over; an admin may, with a reason", async () => {
    const record = await newCustomer();
    const held = await acquired(await acquireLease(database.db, alice, { recordId: record.id }));

    const plain = await acquireLease(database.db, bob, { recordId: record.id });
    expect(plain).toMatchObject({
      ok: false,
      error: {
        code: "locked",
        holder: { id: alice.id, name: "Alice" },
        acquiredAt: held.lease.acquiredAt,
        expiresAt: held.lease.expiresAt,
        expired: false,
      },
    });
    const takeover = await acquireLease(database.db, bob, { recordId: record.id, takeover: true, reason: "urgent" });
    expect(takeover).toMatchObject({ ok: false, error: { code: "forbidden" } });
    const adminPlain = await acquireLease(database.db, admin, { recordId: record.id });
    expect(adminPlain).toMatchObject({ ok: false, error: { code: "locked", holder: { id: alice.id } } });
    const noReason = await acquireLease(database.db, admin, { recordId: record.id, takeover: true, reason: "  " });
    expect(noReason).toMatchObject({ ok: false, error: { code: "invalid", fields: { reason: expect.any(String) } } });
    expect(await leaseRows(record.id)).toEqual([{ user_id: alice.id }]);
    expect(await eventRows(record.id)).toEqual([]);

    const byAdmin = await acquired(
      await acquireLease(database.db, admin, {
        recordId: record.id,
        takeover: true,
        reason: "Contract must go out today",
      }),
    );

    expect(byAdmin.lease.holder).toEqual({ id: admin.id, name: "Admin" });
    expect(byAdmin.tookOver).toMatchObject({
      action: "takeover",
      actor: { id: admin.id },
      previousHolder: { id: alice.id, name: "Alice" },
      reason: "Contract must go out today",
    });
    expect(await leaseRows(record.id)).toEqual([{ user_id: admin.id }]);
    expect(await eventRows(record.id)).toEqual([
      { action: "takeover", actor_id: admin.id, previous_holder_id: alice.id, reason: "Contract must go out today" },
    ]);

    // Alice's next heartbeat finds out who took it and why.
    const heartbeat = await acquireLease(database.db, alice, { recordId: record.id, renew: true });
    expect(heartbeat).toMatchObject({
      ok: false,
      error: {
        code: "locked",
        holder: { id: admin.id, name: "Admin" },
        lostTo: { action: "takeover", actor: { name: "Admin" }, reason: "Contract must go out today" },
      },
    });
    expect(await leaseRows(record.id)).toEqual([{ user_id: admin.id }]);
  });

  it("after expiry: anyone can take over, and it is recorded", async () => {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));
    await expireLease(record.id);
    expect(await getLease(database.db, record.id)).toMatchObject({ holder: { id: alice.id }, expired: true });

    const byBob = await acquired(await acquireLease(database.db, bob, { recordId: record.id, takeover: true }));

    expect(byBob.lease).toMatchObject({ holder: { id: bob.id, name: "Bob" }, expired: false });
    expect(byBob.tookOver?.previousHolder).toEqual({ id: alice.id, name: "Alice" });
    expect(await eventRows(record.id)).toEqual([
      { action: "takeover", actor_id: bob.id, previous_holder_id: alice.id, reason: "The lease had expired." },
    ]);
    // Alice comes back: her save is refused, naming Bob.
    const save = await saveRecord(database.db, alice, {
      recordId: record.id,
      baseVersion: 1,
      values: { name: "Late" },
    });
    expect(save).toMatchObject({ ok: false, error: { code: "locked", holder: { id: bob.id, name: "Bob" } } });
  });

  it("lets a holder renew their own expired lease if nobody took it", async () => {
    const record = await newCustomer();
    const first = await acquired(await acquireLease(database.db, alice, { recordId: record.id }));
    await expireLease(record.id);

    const again = await acquired(await acquireLease(database.db, alice, { recordId: record.id }));

    expect(again.lease).toMatchObject({ acquiredAt: first.lease.acquiredAt, expired: false });
    expect(again.tookOver).toBeNull();
    expect(await eventRows(record.id)).toEqual([]);
  });

  it("takes leases only on live records of lease collections", async () => {
    const optimistic = await createTestRecord(database.db, admin, { slug: tickets }, { name: "Printer jams" });
    expect(await acquireLease(database.db, alice, { recordId: optimistic.id })).toMatchObject({
      ok: false,
      error: { code: "not_leased" },
    });
    expect(await acquireLease(database.db, alice, { recordId: crypto.randomUUID() })).toEqual({
      ok: false,
      error: { code: "not_found" },
    });
    const gone = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: gone.id }));
    expect((await deleteRecord(database.db, alice, { recordId: gone.id, baseVersion: 1 })).ok).toBe(true);
    expect(await acquireLease(database.db, bob, { recordId: gone.id })).toEqual({
      ok: false,
      error: { code: "not_found" },
    });
    expect(await leaseRows(optimistic.id)).toEqual([]);
  });
});

describe("saves in a lease collection (both guards, always)", () => {
  it("refuses a save and a delete by someone holding no lease, naming the holder", async () => {
    const record = await newCustomer();
    const nobody = await saveRecord(database.db, bob, { recordId: record.id, baseVersion: 1, values: { name: "X" } });
    expect(nobody).toMatchObject({ ok: false, error: { code: "locked", holder: null } });

    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));
    const save = await saveRecord(database.db, bob, { recordId: record.id, baseVersion: 1, values: { name: "Bob's" } });
    const patch = await saveRecord(database.db, bob, {
      recordId: record.id,
      baseVersion: 1,
      values: { notes: "via PATCH" },
      patch: true,
    });
    const remove = await deleteRecord(database.db, bob, { recordId: record.id, baseVersion: 1 });

    for (const result of [save, patch, remove]) {
      expect(result).toMatchObject({
        ok: false,
        error: { code: "locked", holder: { id: alice.id, name: "Alice" }, message: expect.stringContaining("Alice") },
      });
    }
    expect(await currentRow(record.id)).toEqual({ version: 1, data: { name: "Ada Lovelace" } });
    expect(await storedRevisions(database.db, record.id)).toHaveLength(1);
  });

  it("accepts the holder's save, and still answers conflict to the holder's stale save", async () => {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));

    const first = await saveRecord(database.db, alice, {
      recordId: record.id,
      baseVersion: 1,
      values: { name: "Ada" },
    });
    expect(first).toMatchObject({ ok: true, record: { version: 2, data: { name: "Ada" } } });
    const stale = await saveRecord(database.db, alice, {
      recordId: record.id,
      baseVersion: 1,
      values: { name: "Ada L." },
    });
    expect(stale).toMatchObject({ ok: false, error: { code: "conflict", current: { version: 2 } } });
    const staleDelete = await deleteRecord(database.db, alice, { recordId: record.id, baseVersion: 1 });
    expect(staleDelete).toMatchObject({ ok: false, error: { code: "conflict" } });
    expect(await currentRow(record.id)).toEqual({ version: 2, data: { name: "Ada" } });
  });

  it("refuses a holder whose lease expired, until they renew it", async () => {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));
    await expireLease(record.id);

    const expired = await saveRecord(database.db, alice, {
      recordId: record.id,
      baseVersion: 1,
      values: { name: "A" },
    });
    expect(expired).toMatchObject({ ok: false, error: { code: "locked", holder: { id: alice.id }, expired: true } });

    await acquired(await acquireLease(database.db, alice, { recordId: record.id, renew: true }));
    const renewed = await saveRecord(database.db, alice, {
      recordId: record.id,
      baseVersion: 1,
      values: { name: "A" },
    });
    expect(renewed.ok).toBe(true);
  });

  it("after a take-over, refuses the old holder's save; their edits still land later through a conflict", async () => {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));
    const aliceDraft = { name: "Ada Lovelace", notes: "Alice's unsaved notes" };
    await acquired(
      await acquireLease(database.db, admin, { recordId: record.id, takeover: true, reason: "Alice is out" }),
    );

    const refused = await saveRecord(database.db, alice, { recordId: record.id, baseVersion: 1, values: aliceDraft });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: "locked",
        holder: { id: admin.id, name: "Admin" },
        lostTo: { actor: { id: admin.id }, reason: "Alice is out" },
      },
    });
    // The admin saves and lets go; Alice gets the record again and saves her draft knowingly.
    const adminSave = await saveRecord(database.db, admin, {
      recordId: record.id,
      baseVersion: 1,
      values: { name: "Ada King" },
    });
    expect(adminSave.ok).toBe(true);
    expect(await releaseLease(database.db, admin, { recordId: record.id })).toEqual({
      ok: true,
      released: true,
      broke: null,
    });
    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));
    const conflict = await saveRecord(database.db, alice, { recordId: record.id, baseVersion: 1, values: aliceDraft });
    expect(conflict).toMatchObject({ ok: false, error: { code: "conflict", current: { version: 2 } } });
    const merged = await saveRecord(database.db, alice, {
      recordId: record.id,
      baseVersion: 2,
      values: { name: "Ada King", notes: aliceDraft.notes },
      action: "merge",
    });
    expect(merged).toMatchObject({ ok: true, record: { version: 3 } });
    expect(await currentRow(record.id)).toEqual({
      version: 3,
      data: { name: "Ada King", notes: "Alice's unsaved notes" },
    });
  });

  it("checks the lease in the same statement as the write: a take-over committed mid-save refuses it", async () => {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));

    // Alice's save has passed every early check when the take-over commits; only the
    // compare-and-set's own condition can still stop it.
    const result = await whileHeld(
      { waiters: 1 },
      (tx) => tx.execute(sql`select 1 from leases where record_id = ${record.id} for update`),
      () => saveRecord(database.db, alice, { recordId: record.id, baseVersion: 1, values: { name: "Mid-save" } }),
      (tx) =>
        tx.execute(
          sql`update leases set user_id = ${admin.id}, acquired_at = now(), renewed_at = now() where record_id = ${record.id}`,
        ),
    );

    expect(result).toMatchObject({ ok: false, error: { code: "locked", holder: { id: admin.id } } });
    expect(await currentRow(record.id)).toEqual({ version: 1, data: { name: "Ada Lovelace" } });
  });

  it("leaves optimistic collections alone", async () => {
    const record = await createTestRecord(database.db, admin, { slug: tickets }, { name: "Printer jams" });
    const result = await saveRecord(database.db, bob, {
      recordId: record.id,
      baseVersion: 1,
      values: { name: "Fixed" },
    });
    expect(result).toMatchObject({ ok: true, record: { version: 2 } });
  });
});

describe("deleting and restoring in a lease collection", () => {
  /** A record deleted by Alice (who held its lease), at version 2. */
  async function deletedCustomer(): Promise<RecordView> {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));
    expect(await deleteRecord(database.db, alice, { recordId: record.id, baseVersion: 1 })).toMatchObject({ ok: true });
    return record;
  }

  /** A lease on a deleted record, as a lease taken in a race with the delete leaves it. */
  async function plantLease(recordId: string, userId: string, expiresIn: string): Promise<void> {
    await queryRows(
      database.db,
      sql`insert into leases (record_id, user_id, expires_at) values (${recordId}, ${userId}, now() + ${expiresIn}::interval)`,
    );
  }

  it("releases the record's lease in the same statement as the delete; a refused delete keeps it", async () => {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));
    const refused = await deleteRecord(database.db, bob, { recordId: record.id, baseVersion: 1 });
    expect(refused).toMatchObject({ ok: false, error: { code: "locked" } });
    const stale = await deleteRecord(database.db, alice, { recordId: record.id, baseVersion: 7 });
    expect(stale).toMatchObject({ ok: false, error: { code: "conflict" } });
    expect(await leaseRows(record.id)).toEqual([{ user_id: alice.id }]);

    expect(await deleteRecord(database.db, alice, { recordId: record.id, baseVersion: 1 })).toMatchObject({ ok: true });

    expect(await leaseRows(record.id)).toEqual([]);
    expect((await listLeases(database.db)).map((l) => l.recordId)).not.toContain(record.id);
  });

  it("never leaves a lease on a deleted record: an acquisition racing a delete waits for it and finds the record gone", async () => {
    const record = await newCustomer();
    // The delete has passed its checks and holds the record's row when Bob asks for the lease.
    const result = await whileHeld(
      { waiters: 1 },
      (tx) => tx.execute(sql`update records set deleted_at = now(), version = version + 1 where id = ${record.id}`),
      () => acquireLease(database.db, bob, { recordId: record.id }),
    );
    expect(result).toEqual({ ok: false, error: { code: "not_found" } });
    expect(await leaseRows(record.id)).toEqual([]);
  });

  it("takes its locks in the order saves do (lease, then record): a save in flight and an acquisition never deadlock", async () => {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));
    // Alice's save has read her lease FOR SHARE (its WHERE) and is about to update the row when
    // Bob opens the record. Bob must wait for the lease without holding the record meanwhile.
    const result = await whileHeld(
      { waiters: 1 },
      (tx) => tx.execute(sql`select 1 from leases where record_id = ${record.id} for share`),
      () => acquireLease(database.db, bob, { recordId: record.id }),
      (tx) => tx.execute(sql`update records set updated_at = now() where id = ${record.id}`),
    );
    expect(result).toMatchObject({ ok: false, error: { code: "locked", holder: { id: alice.id } } });
  });

  it("refuses a restore while someone else holds a live lease, naming them, and restores nothing", async () => {
    const record = await deletedCustomer();
    await plantLease(record.id, bob.id, "1 minute");

    const result = await restoreRecord(database.db, alice, {
      recordId: record.id,
      deletedVersion: 2,
      values: { name: "Ada is back" },
    });

    expect(result).toMatchObject({
      ok: false,
      error: { code: "locked", holder: { id: bob.id, name: "Bob" }, message: expect.stringContaining("Bob") },
    });
    const [row] = await queryRows<{ version: number; deleted: boolean }>(
      database.db,
      sql`select version, deleted_at is not null as deleted from records where id = ${record.id}`,
    );
    expect(row).toEqual({ version: 2, deleted: true });
    expect((await storedRevisions(database.db, record.id)).map((r) => r.action)).toEqual(["create", "delete"]);
  });

  it("restores when the only lease is the restorer's own or has expired", async () => {
    const own = await deletedCustomer();
    await plantLease(own.id, alice.id, "1 minute");
    const byHolder = await restoreRecord(database.db, alice, {
      recordId: own.id,
      deletedVersion: 2,
      values: { name: "Mine again" },
    });
    expect(byHolder).toMatchObject({ ok: true, record: { version: 3, data: { name: "Mine again" } } });

    const stale = await deletedCustomer();
    await plantLease(stale.id, bob.id, "-1 second");
    const pastExpiry = await restoreRecord(database.db, alice, {
      recordId: stale.id,
      deletedVersion: 2,
      values: { name: "Back" },
    });
    expect(pastExpiry).toMatchObject({ ok: true, record: { version: 3 } });
  });

  it("checks the lease in the restore statement itself: a renewal committed mid-restore refuses it", async () => {
    const record = await deletedCustomer();
    await plantLease(record.id, bob.id, "-1 second");

    // Bob's lease looks expired when Alice's restore starts; he renews it while the restore's
    // statement waits for the lease row, so only the statement's own condition can stop it.
    const result = await whileHeld(
      { waiters: 1 },
      (tx) => tx.execute(sql`select 1 from leases where record_id = ${record.id} for update`),
      () => restoreRecord(database.db, alice, { recordId: record.id, deletedVersion: 2, values: { name: "Mid" } }),
      (tx) =>
        tx.execute(sql`update leases set expires_at = now() + interval '1 minute' where record_id = ${record.id}`),
    );

    expect(result).toMatchObject({ ok: false, error: { code: "locked", holder: { id: bob.id } } });
    expect(await currentRow(record.id)).toMatchObject({ version: 2 });
  });
});

describe("a lease belongs to the browser tab that took it", () => {
  const TAB_ONE = "11111111-1111-4111-8111-111111111111";
  const TAB_TWO = "22222222-2222-4222-8222-222222222222";

  it("locks the same user's other tab (naming that user) until it takes over, without recording a take-over", async () => {
    const record = await newCustomer();
    const first = await acquired(await acquireLease(database.db, alice, { recordId: record.id, tab: TAB_ONE }));
    // The same tab again renews, as before.
    await acquired(await acquireLease(database.db, alice, { recordId: record.id, tab: TAB_ONE }));

    const second = await acquireLease(database.db, alice, { recordId: record.id, tab: TAB_TWO });
    expect(second).toMatchObject({
      ok: false,
      error: {
        code: "locked",
        holder: { id: alice.id, name: "Alice" },
        expired: false,
        message: expect.stringContaining("another tab"),
      },
    });
    // Its heartbeat cannot renew the other tab's lease either.
    expect(await acquireLease(database.db, alice, { recordId: record.id, tab: TAB_TWO, renew: true })).toMatchObject({
      ok: false,
      error: { code: "locked", holder: { id: alice.id } },
    });

    // "Edit here instead": the lease moves to the second tab; the first one's heartbeat is refused.
    const moved = await acquired(
      await acquireLease(database.db, alice, { recordId: record.id, tab: TAB_TWO, takeover: true }),
    );
    expect(moved.tookOver).toBeNull();
    expect(moved.lease.acquiredAt).toBe(first.lease.acquiredAt);
    expect(await acquireLease(database.db, alice, { recordId: record.id, tab: TAB_ONE, renew: true })).toMatchObject({
      ok: false,
      error: { code: "locked", holder: { id: alice.id }, lostTo: null },
    });
    expect(await eventRows(record.id)).toEqual([]);
    // Either tab may save: the lease guards people, and the version check guards the rest.
    const saved = await saveRecord(database.db, alice, {
      recordId: record.id,
      baseVersion: 1,
      values: { notes: "from a tab" },
      patch: true,
    });
    expect(saved.ok).toBe(true);
  });

  it("closing one tab does not release the lease another tab of the same user holds", async () => {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id, tab: TAB_ONE }));
    expect(await releaseLease(database.db, alice, { recordId: record.id, tab: TAB_TWO })).toEqual({
      ok: true,
      released: false,
      broke: null,
    });
    expect(await leaseRows(record.id)).toEqual([{ user_id: alice.id }]);
    expect(await releaseLease(database.db, alice, { recordId: record.id, tab: TAB_ONE })).toMatchObject({
      ok: true,
      released: true,
    });
    expect(await leaseRows(record.id)).toEqual([]);
  });

  it("lets another tab take an expired lease of the same user, and the API (no tab) use any tab's lease", async () => {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id, tab: TAB_ONE }));
    // Through the API, without a tab: the lease is this user's, renewed, still the tab's.
    await acquired(await acquireLease(database.db, alice, { recordId: record.id, renew: true }));
    await acquired(await acquireLease(database.db, alice, { recordId: record.id, tab: TAB_ONE, renew: true }));
    await expireLease(record.id);
    await acquired(await acquireLease(database.db, alice, { recordId: record.id, tab: TAB_TWO }));
    expect(await acquireLease(database.db, alice, { recordId: record.id, tab: TAB_ONE, renew: true })).toMatchObject({
      ok: false,
      error: { code: "locked", holder: { id: alice.id } },
    });
    // And an API release (no tab) lets go of whichever tab's lease it is.
    expect(await releaseLease(database.db, alice, { recordId: record.id })).toMatchObject({ ok: true, released: true });
  });
});

describe("releasing and breaking leases", () => {
  it("lets the holder release (idempotently), refuses other editors, and records an admin's break", async () => {
    const record = await newCustomer();
    await acquired(await acquireLease(database.db, alice, { recordId: record.id }));

    expect(await releaseLease(database.db, bob, { recordId: record.id })).toMatchObject({
      ok: false,
      error: { code: "forbidden", message: expect.stringContaining("Alice") },
    });
    expect(await releaseLease(database.db, alice, { recordId: record.id })).toEqual({
      ok: true,
      released: true,
      broke: null,
    });
    expect(await releaseLease(database.db, alice, { recordId: record.id })).toEqual({
      ok: true,
      released: false,
      broke: null,
    });
    expect(await leaseRows(record.id)).toEqual([]);

    await acquired(await acquireLease(database.db, bob, { recordId: record.id }));
    const broken = await releaseLease(database.db, admin, { recordId: record.id, reason: "Stuck since Friday" });
    expect(broken).toMatchObject({
      ok: true,
      released: true,
      broke: { action: "break", actor: { id: admin.id }, previousHolder: { id: bob.id }, reason: "Stuck since Friday" },
    });
    expect(await leaseRows(record.id)).toEqual([]);
    expect(await eventRows(record.id)).toEqual([
      { action: "break", actor_id: admin.id, previous_holder_id: bob.id, reason: "Stuck since Friday" },
    ]);
    // Bob's next heartbeat does not silently take the lock back; it says it was broken.
    expect(await acquireLease(database.db, bob, { recordId: record.id, renew: true })).toMatchObject({
      ok: false,
      error: { code: "locked", holder: null, lostTo: { action: "break", reason: "Stuck since Friday" } },
    });
    expect(await leaseRows(record.id)).toEqual([]);
  });

  it("names the holders of live leases among given records, for the table (expired and free ones left out)", async () => {
    const live = await newCustomer("Live");
    const expired = await newCustomer("Expired");
    const free = await newCustomer("Free");
    await acquired(await acquireLease(database.db, alice, { recordId: live.id }));
    await acquired(await acquireLease(database.db, bob, { recordId: expired.id }));
    await expireLease(expired.id);
    const holders = await liveLeaseHolders(database.db, [live.id, expired.id, free.id, "not-a-uuid"]);
    expect([...holders]).toEqual([[live.id, { id: alice.id, name: "Alice" }]]);
    expect(await liveLeaseHolders(database.db, [])).toEqual(new Map());
  });

  it("lists current leases, expired ones too, and the latest take-overs and breaks", async () => {
    const held = await newCustomer("Grace Hopper");
    const stale = await newCustomer("Edsger Dijkstra");
    await acquired(await acquireLease(database.db, alice, { recordId: held.id }));
    await acquired(await acquireLease(database.db, bob, { recordId: stale.id }));
    await expireLease(stale.id);
    await acquired(await acquireLease(database.db, admin, { recordId: held.id, takeover: true, reason: "Audit" }));

    const leases = await listLeases(database.db);
    expect(leases.find((l) => l.recordId === held.id)).toMatchObject({
      record: { title: "Grace Hopper", deleted: false },
      collection: { slug: customers, name: "Customers" },
      holder: { id: admin.id },
      expired: false,
    });
    expect(leases.find((l) => l.recordId === stale.id)).toMatchObject({ holder: { id: bob.id }, expired: true });

    const [latest] = await listLeaseEvents(database.db, { limit: 5 });
    expect(latest).toMatchObject({
      recordId: held.id,
      recordTitle: "Grace Hopper",
      action: "takeover",
      actor: { name: "Admin" },
      previousHolder: { name: "Alice" },
      reason: "Audit",
    });
  });
});
