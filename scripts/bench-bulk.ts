/**
 * Bulk lines of `npm run bench` (issue 13): a bulk edit of 1,000 and of 5,000 records through
 * the batch engine (each record version-checked, one revision each), against the same
 * per-record compare-and-set + revision statement sent record by record as raw SQL in one
 * transaction; then an import of 100,000 CSV rows (created), their export, and the
 * re-import of that export with 1,000 rows edited. Runs alone too:
 * `npx tsx --conditions=react-server scripts/bench-bulk.ts` (starts its own PostgreSQL, fsync on).
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openPostgres, queryRows } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import type { Actor } from "../lib/auth/actor";
import { applyBatch, type BatchCollection } from "../lib/batches/apply-batch";
import { exportRecords } from "../lib/batches/export-records";
import { importCsv } from "../lib/batches/import-csv";
import type { FieldDefinition } from "../lib/fields";
import { DEMO_COLLECTIONS } from "../lib/seed";
import { startPostgresServer } from "../tests/support/postgres-server";

const FIELDS: FieldDefinition[] = DEMO_COLLECTIONS.find((c) => c.slug === "tickets")?.fields ?? [];
const STATUSES = ["Open", "In progress", "Resolved", "Closed"];

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString("en")}/s`;
}

export async function benchBulk(url: string, log: (line: string) => void = console.log): Promise<void> {
  const database = await openPostgres(url, { max: 4 });
  const raw = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrateDatabase(database);
    const tag = randomUUID().slice(0, 8);
    const [user] = await queryRows<{ id: string }>(
      database.db,
      sql`insert into users (email, name, role, password_hash)
          values (${`bulk-${tag}@bench.invalid`}, 'Bench', 'editor', '!no-password') returning id`,
    );
    if (!user) throw new Error("bench user insert returned no row");
    const actor: Actor = { id: user.id, name: "Bench", email: `bulk-${tag}@bench.invalid`, role: "editor" };
    const slug = `bulk-${tag}`;
    const [row] = await queryRows<{ id: string }>(
      database.db,
      sql`insert into collections (slug, name, fields) values (${slug}, 'Bulk bench', ${JSON.stringify(FIELDS)}::jsonb)
          returning id`,
    );
    if (!row) throw new Error("bench collection insert returned no row");
    const collection: BatchCollection = { id: row.id, fields: FIELDS, capacityField: null };

    const create = async (count: number) => {
      const outcome = await applyBatch(database.db, actor, {
        collection,
        kind: "import",
        items: Array.from({ length: count }, (_, i) => ({
          op: "create" as const,
          values: { title: `Ticket ${i}`, status: "Open", priority: "Normal" },
        })),
      });
      return outcome.results.map((r) => ({ id: r.id ?? "", version: r.version ?? 1 }));
    };

    log("bulk edits: each record version-checked with one revision (fsync on)");
    log("| records | batch engine (applyBatch) | raw SQL, same CAS + revision per record, in series | × raw |");
    log("|---|---|---|---|");
    for (const count of [1_000, 5_000]) {
      const engineRecords = await create(count);
      const rawRecords = await create(count);
      const started = performance.now();
      const outcome = await applyBatch(database.db, actor, {
        collection,
        kind: "bulk",
        items: engineRecords.map((r, i) => ({
          op: "update" as const,
          id: r.id,
          version: r.version,
          set: { status: STATUSES[(i % 3) + 1] },
        })),
      });
      const engineMs = performance.now() - started;
      if (outcome.summary.updated !== count) throw new Error(`engine updated ${outcome.summary.updated} of ${count}`);

      // The baseline: the single save's statement (CAS + revision in one CTE), one per record.
      const rawStarted = performance.now();
      await raw.begin(async (tx) => {
        for (const [i, r] of rawRecords.entries()) {
          const patch = JSON.stringify({ status: STATUSES[(i % 3) + 1] });
          await tx`with updated as (
                     update records set data = data || ${patch}::jsonb, version = version + 1,
                            updated_at = now(), updated_by = ${actor.id}
                      where id = ${r.id} and version = ${r.version} and deleted_at is null
                      returning id, version, updated_at, data
                   )
                   insert into revisions (record_id, version, user_id, at, action, changes, snapshot)
                   select id, version, ${actor.id}, updated_at, 'update', '{}'::jsonb, data from updated`;
        }
      });
      const rawMs = performance.now() - rawStarted;
      log(
        `| ${count.toLocaleString("en")} | ${Math.round(engineMs)} ms, ${rate(count, engineMs)} | ${Math.round(rawMs)} ms, ${rate(count, rawMs)} | ${(rawMs / engineMs).toFixed(1)}× faster |`,
      );
    }

    const importSlug = `${slug}-import`;
    await queryRows(
      database.db,
      sql`insert into collections (slug, name, fields) values (${importSlug}, 'Import bench', ${JSON.stringify(FIELDS)}::jsonb)`,
    );
    const rows = 100_000;
    const header = "Title,Status,Priority,Assignee,Estimate (hours)\r\n";
    const body = Array.from(
      { length: rows },
      // Assignee is a person field: a person's id (checked to exist, as every import row is).
      (_, i) => `Imported ticket ${i},${STATUSES[i % 4]},Normal,${actor.id},${(i % 40) / 2}\r\n`,
    ).join("");
    const bytes = Buffer.from(header + body);
    let started = performance.now();
    const imported = await importCsv(database.db, actor, { slug: importSlug, bytes, dryRun: false });
    const importMs = performance.now() - started;
    if (!imported.ok || imported.summary.created !== rows) throw new Error("the import did not create every row");
    log(
      `\nimport of ${rows.toLocaleString("en")} CSV rows (${(bytes.length / 1024 / 1024).toFixed(1)} MiB, all created): ${(importMs / 1000).toFixed(1)} s (${rate(rows, importMs)})`,
    );

    started = performance.now();
    const collectionView = {
      id: "",
      slug: importSlug,
      name: "Import bench",
      fields: FIELDS,
      editMode: "optimistic" as const,
      version: 1,
      capacityField: null,
    };
    const [found] = await queryRows<{ id: string }>(
      database.db,
      sql`select id from collections where slug = ${importSlug}`,
    );
    collectionView.id = found?.id ?? "";
    const exported = await exportRecords(database.db, collectionView, {
      format: "csv",
      sort: "createdAt",
      dir: "asc",
      actorId: actor.id,
    });
    if (!exported.ok) throw new Error("export failed");
    const text = await new Response(exported.stream).text();
    const exportMs = performance.now() - started;
    log(
      `export of the same ${rows.toLocaleString("en")} records as CSV (streamed, ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1)} MiB): ${(exportMs / 1000).toFixed(1)} s`,
    );

    // Edit 1,000 rows' Status cell (every 100th), as a spreadsheet would, and import it back.
    const lines = text.split("\r\n");
    for (let i = 1; i < lines.length; i += 100) {
      const cells = lines[i]?.split(",");
      if (cells && cells.length > 3) {
        cells[3] = cells[3] === "Closed" ? "Open" : "Closed";
        lines[i] = cells.join(",");
      }
    }
    started = performance.now();
    const reimported = await importCsv(database.db, actor, {
      slug: importSlug,
      bytes: Buffer.from(lines.join("\r\n")),
      dryRun: false,
    });
    const reimportMs = performance.now() - started;
    if (!reimported.ok) throw new Error("re-import failed");
    log(
      `re-import of that export with 1,000 rows edited (three-way per row): ${(reimportMs / 1000).toFixed(1)} s — ${reimported.summary.updated} updated, ${reimported.summary.unchanged} unchanged`,
    );
  } finally {
    await raw.end({ timeout: 5 });
    await database.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startPostgresServer({ name: "bench-bulk", fsync: true });
  const name = `bench_bulk_${randomUUID().slice(0, 8)}`;
  try {
    await server.createDatabase(name);
    await benchBulk(server.url(name));
  } finally {
    await server.stop();
  }
}
