/**
 * A stand-in app instance for tests/integration/instance-killed.test.ts: saves records through
 * the real save path, one save after another per record, and says so on stdout —
 * `send <record> <saveId> <base>` before each save and `ack <record> <saveId> <version>` once
 * its answer is back (what a client would have been told). The test SIGKILLs it mid-stream.
 *
 *   tsx tests/support/save-worker.ts <database url> <user id> <record id>…
 */
import { openPostgres } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { saveRecord } from "@/lib/records/save-record";

const [url, userId, ...recordIds] = process.argv.slice(2);
if (!url || !userId) throw new Error("usage: save-worker <url> <user id> <record id>…");
const database = await openPostgres(url, { max: recordIds.length + 1 });
const actor: Actor = { id: userId, name: "Worker", email: "worker@example.test", role: "editor" };

await Promise.all(
  recordIds.map(async (recordId) => {
    let version = 1;
    for (let i = 0; ; i++) {
      const saveId = `kill:${recordId}:${i}`;
      process.stdout.write(`send ${recordId} ${saveId} ${version}\n`);
      const result = await saveRecord(database.db, actor, {
        recordId,
        baseVersion: version,
        values: { title: `save ${i}` },
        patch: true,
        saveId,
      });
      if (!result.ok) throw new Error(JSON.stringify(result.error));
      version = result.record.version;
      process.stdout.write(`ack ${recordId} ${saveId} ${version}\n`);
    }
  }),
);
