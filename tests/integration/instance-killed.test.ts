import { spawn } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import { saveRecord } from "@/lib/records/save-record";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createCollection, createTestRecord, type TestDatabase, type TestUser } from "../support/test-database";

/**
 * Issue 10, reliability: an app instance SIGKILLed in the middle of saves. No half-written
 * revision, no acknowledged save lost, and a retry with the same save id returns the first
 * outcome (or, for a save whose answer never came back, applies it exactly once).
 */

const FIELDS: FieldDefinition[] = [{ key: "title", label: "Title", type: "text", required: true }];
const RECORDS = 4;
const ACKS_BEFORE_KILL = 60;

let database: TestDatabase;
let editor: TestUser;

const setup = setUpTestDatabase({ users: { editor: { name: "Edith" } } });

beforeAll(() => {
  ({ database } = setup);
  ({ editor } = setup.users);
});

type Line = { kind: "send" | "ack"; recordId: string; saveId: string; version: number };

describe("an app instance killed with SIGKILL mid-saves", () => {
  it("loses no acknowledged save, leaves no half revision, and answers retries with the first outcome", async () => {
    const collection = await createCollection(database.db, { fields: FIELDS });
    const records = await Promise.all(
      Array.from({ length: RECORDS }, (_, i) => createTestRecord(database.db, editor, collection, { title: `r${i}` })),
    );

    const root = path.resolve(import.meta.dirname, "../..");
    const worker = spawn(
      process.execPath,
      [
        // One process (tsx as a loader, not its CLI, which would run the worker in a child of its own);
        // the react-server condition lets it import the server-only domain modules.
        "--conditions=react-server",
        "--import",
        "tsx",
        "tests/support/save-worker.ts",
        database.url,
        editor.id,
        ...records.map((r) => r.id),
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    const lines: Line[] = [];
    let stderr = "";
    worker.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      let buffer = "";
      worker.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        let end = buffer.indexOf("\n");
        while (end >= 0) {
          const [kind, recordId = "", saveId = "", version = "0"] = buffer.slice(0, end).split(" ");
          buffer = buffer.slice(end + 1);
          lines.push({ kind: kind as Line["kind"], recordId, saveId, version: Number(version) });
          end = buffer.indexOf("\n");
        }
        if (lines.filter((l) => l.kind === "ack").length >= ACKS_BEFORE_KILL) {
          // Mid-stream: each record has a save in flight right now.
          worker.kill("SIGKILL");
          resolve();
        }
      });
      worker.on("exit", (code) => {
        if (code !== null) reject(new Error(`worker exited ${code}: ${stderr}`));
      });
    });
    await new Promise((resolve) => worker.once("close", resolve));

    const acked = lines.filter((l) => l.kind === "ack");
    const unanswered = lines.filter((l) => l.kind === "send" && !acked.some((a) => a.saveId === l.saveId));
    expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

    // Every acknowledged save is there, at the version its answer named.
    for (const ack of acked) {
      const [row] = await queryRows<{ version: number }>(
        database.db,
        sql`select version from revisions where record_id = ${ack.recordId} and save_id = ${ack.saveId}`,
      );
      expect({ saveId: ack.saveId, version: row?.version }).toEqual({ saveId: ack.saveId, version: ack.version });
    }

    // No half revision: versions 1..current without a gap, and the record is its last revision's snapshot.
    for (const record of records) {
      const revisions = await queryRows<{ version: number; snapshot: unknown }>(
        database.db,
        sql`select version, snapshot from revisions where record_id = ${record.id} order by version`,
      );
      const [current] = await queryRows<{ version: number; data: unknown }>(
        database.db,
        sql`select version, data from records where id = ${record.id}`,
      );
      expect(revisions.map((r) => r.version)).toEqual(Array.from({ length: current?.version ?? 0 }, (_, i) => i + 1));
      expect(revisions.at(-1)?.snapshot).toEqual(current?.data);
    }

    // A client retrying an acknowledged save (its answer lost on the way) gets the first outcome.
    const actor = { id: editor.id, name: editor.name, email: editor.email, role: editor.role };
    for (const ack of acked.slice(-RECORDS)) {
      const send = lines.find((l) => l.kind === "send" && l.saveId === ack.saveId);
      const retry = await saveRecord(database.db, actor, {
        recordId: ack.recordId,
        baseVersion: send?.version ?? 0,
        // The same request again: the same values (other values under a used save id are a 422).
        values: { title: `save ${ack.saveId.split(":").at(-1)}` },
        patch: true,
        saveId: ack.saveId,
      });
      expect(retry).toMatchObject({ ok: true, replayed: true, record: { version: ack.version } });
    }
    // A save whose answer never came: the retry applies it, exactly once.
    for (const send of unanswered) {
      const retry = await saveRecord(database.db, actor, {
        recordId: send.recordId,
        baseVersion: send.version,
        values: { title: `save ${send.saveId.split(":").at(-1)}` },
        patch: true,
        saveId: send.saveId,
      });
      expect(retry.ok).toBe(true);
      const rows = await queryRows(
        database.db,
        sql`select 1 from revisions where record_id = ${send.recordId} and save_id = ${send.saveId}`,
      );
      expect(rows).toHaveLength(1);
    }
  }, 60_000);
});
