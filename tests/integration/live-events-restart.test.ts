import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, getDatabase, openPostgres } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import type { FieldDefinition } from "@/lib/fields";
import { type LiveEvent, subscribe, subscriberCount } from "@/lib/live-events";
import { joinPresence } from "@/lib/presence";
import { saveRecord } from "@/lib/records/save-record";
import { type PostgresServer, startPostgresServer } from "../support/postgres-server";
import { createCollection, createTestRecord, createUser } from "../support/test-database";

/**
 * The process's one LISTEN survives a database restart: postgres.js re-LISTENs on its dedicated
 * connection once the server is back, so live events resume without the app doing anything.
 */

const FIELDS: FieldDefinition[] = [{ key: "title", label: "Title", type: "text", required: true }];

let server: PostgresServer;
let writer: Database;

beforeAll(async () => {
  // Its own server (this file restarts it), never the shared one.
  const shared = process.env.TEST_DATABASE_URL;
  delete process.env.TEST_DATABASE_URL;
  try {
    server = await startPostgresServer({ name: "live-restart" });
  } finally {
    if (shared !== undefined) process.env.TEST_DATABASE_URL = shared;
  }
  await server.createDatabase("tandem");
  process.env.DATABASE_URL = server.url("tandem");
  writer = await openPostgres(server.url("tandem"), { max: 2 });
  await migrateDatabase(writer);
});

afterAll(async () => {
  await Promise.allSettled([writer?.close(), process.env.DATABASE_URL ? getDatabase().then((d) => d.close()) : null]);
  await server?.stop();
});

describe("live events across a database restart", () => {
  it("arrive again once PostgreSQL is back", async () => {
    const collection = await createCollection(writer.db, { fields: FIELDS });
    const user = await createUser(writer.db, { name: "Rita" });
    const record = await createTestRecord(writer.db, user, collection, { title: "v1" });
    // Live events are sent for records someone has open.
    await joinPresence(writer.db, user, { id: randomUUID(), recordId: record.id });
    const received: LiveEvent[] = [];
    const unsubscribe = await subscribe(record.id, (event) => received.push(event));
    let version = record.version;
    const save = async () => {
      const result = await saveRecord(writer.db, user, {
        recordId: record.id,
        baseVersion: version,
        values: { title: `v${version + 1}` },
      });
      if (result.ok) version = result.record.version;
    };

    await save();
    await expect.poll(() => received.length).toBe(1);

    await server.restart();
    // Notifications sent before the re-LISTEN are not queued for us: keep writing until one arrives.
    await expect
      .poll(
        async () => {
          await save().catch(() => {});
          return received.length;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBeGreaterThan(1);
    const after = received.at(-1);
    expect(after).toMatchObject({ kind: "record", recordId: record.id });
    expect(after?.kind === "record" && after.version).toBeGreaterThan(2);
    unsubscribe();
    expect(subscriberCount()).toBe(0);
  });
});
