import { randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as exportRoute } from "@/app/api/collections/[slug]/export/route";
import { POST as importRoute } from "@/app/api/collections/[slug]/import/route";
import { queryRows } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import { deleteRecord } from "@/lib/records/delete-record";
import type { RecordView } from "@/lib/records/record-view";
import { saveRecord } from "@/lib/records/save-record";
import { callRoute, expectError, ORIGIN } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createCollection, createTestRecord, type TestDatabase, type TestUser } from "../support/test-database";

const FIELDS: FieldDefinition[] = [
  { key: "name", label: "Name", type: "text", required: true },
  { key: "status", label: "Status", type: "select", options: ["Open", "Pending", "Closed"] },
  { key: "amount", label: "Amount", type: "number" },
  { key: "tags", label: "Tags", type: "multiselect", options: ["red", "green", "blue"] },
  { key: "active", label: "Active", type: "boolean" },
];

const setup = setUpTestDatabase({ users: { editor: { name: "Edith" }, other: { name: "Otto" } } });
let database: TestDatabase;
let editor: TestUser;
let other: TestUser;

beforeAll(() => {
  ({ database } = setup);
  ({ editor, other } = setup.users);
});

async function newCollection(): Promise<string> {
  return (await createCollection(database.db, { fields: FIELDS, name: "Deals" })).slug;
}

function create(slug: string, values: Record<string, unknown>): Promise<RecordView> {
  return createTestRecord(database.db, editor, { slug }, values);
}

/** The export's body as text (callRoute parses JSON, so CSV is read straight from the handler). */
async function exportText(slug: string, query = "format=csv"): Promise<{ status: number; type: string; text: string }> {
  const response = await exportRoute(
    new Request(new URL(`/api/collections/${slug}/export?${query}`, ORIGIN), {
      headers: { authorization: `Bearer ${editor.token}`, host: new URL(ORIGIN).host },
    }),
    { params: Promise.resolve({ slug }) },
  );
  // Decoded without dropping a byte order mark (Response.text() would remove it).
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await response.arrayBuffer());
  return { status: response.status, type: response.headers.get("content-type") ?? "", text };
}

const importCsv = (slug: string, body: string | Uint8Array, query = "", headers: Record<string, string> = {}) =>
  callRoute(importRoute, {
    method: "POST",
    path: `/api/collections/${slug}/import${query ? `?${query}` : ""}`,
    params: { slug },
    token: editor.token,
    body: body as string,
    headers: { "content-type": "text/csv", ...headers },
  });

async function storedData(slug: string): Promise<{ id: string; version: number; data: Record<string, unknown> }[]> {
  return queryRows(
    database.db,
    sql`select r.id, r.version, r.data from records r join collections c on c.id = r.collection_id
         where c.slug = ${slug} and r.deleted_at is null order by r.created_at, r.id`,
  );
}

async function revisionCount(slug: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from revisions v join records r on r.id = v.record_id
          join collections c on c.id = r.collection_id where c.slug = ${slug}`,
  );
  return row?.n ?? 0;
}

describe("GET /api/collections/:slug/export", () => {
  it("writes RFC 4180 CSV with id and version first, formula-like text quoted with one ', numbers as numbers", async () => {
    const slug = await newCollection();
    const a = await create(slug, {
      name: "=HYPERLINK(1)",
      status: "Open",
      amount: -4.5,
      tags: ["red", "blue"],
      active: true,
    });
    const b = await create(slug, { name: 'Says "hi", twice\nnew line', amount: 3 });
    const gone = await create(slug, { name: "Gone" });
    await deleteRecord(database.db, editor, { recordId: gone.id, baseVersion: 1 });
    const { status, type, text } = await exportText(slug, "format=csv&sort=name&dir=asc");
    expect(status).toBe(200);
    expect(type).toContain("text/csv");
    expect(text.startsWith("id,version,name,status,amount,tags,active\r\n")).toBe(true);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        id: a.id,
        version: "1",
        name: "'=HYPERLINK(1)",
        status: "Open",
        amount: "-4.5",
        tags: "red; blue",
        active: "true",
      },
      { id: b.id, version: "1", name: 'Says "hi", twice\nnew line', status: "", amount: "3", tags: "", active: "" },
    ]);
    expect(text).toContain(`${a.id},1,'=HYPERLINK(1),Open,-4.5,red; blue,true\r\n`);
    const withBom = await exportText(slug, "format=csv&bom=1");
    expect(withBom.text.startsWith("\uFEFFid,version,")).toBe(true);
  });

  it("exports JSON, pages through large collections, and answers 400 for a bad query", async () => {
    const slug = await newCollection();
    for (let start = 0; start < 450; start += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => create(slug, { name: `R${start + i}`, amount: start + i })),
      );
    }
    const json = await exportText(slug, "format=json&sort=amount&dir=desc");
    expect(json.type).toContain("application/json");
    const items = JSON.parse(json.text) as RecordView[];
    expect(items).toHaveLength(450);
    expect(items[0]?.data.amount).toBe(449);
    expect(items[449]?.data.amount).toBe(0);
    const csv = await exportText(slug);
    expect(parse(csv.text, { columns: true })).toHaveLength(450);
    expect((await exportText(slug, "format=xml")).status).toBe(400);
    expect((await exportText(slug, "sort=nope")).status).toBe(400);
    expect((await exportText(slug, "filter=notjson")).status).toBe(400);
  });
});

describe("POST /api/collections/:slug/import", () => {
  it("an export edited in two cells and imported again changes exactly those two cells", async () => {
    const slug = await newCollection();
    const records = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        create(slug, {
          name: ["=1+1", "+31 20 555", "-minus", "@at", "plain", "'=quoted"][i],
          amount: i,
          tags: ["green"],
        }),
      ),
    );
    const before = await storedData(slug);
    const exported = (await exportText(slug)).text;
    // Unedited: nothing changes at all.
    const same = await importCsv(slug, exported);
    expect(same.status).toBe(200);
    expect(same.body.summary).toMatchObject({ unchanged: 6, updated: 0, created: 0 });
    expect(await storedData(slug)).toEqual(before);

    const rows = parse(exported) as string[][];
    const edited = rows.map((row) => [...row]);
    const target = edited.findIndex((row) => row[0] === records[1]?.id);
    const target2 = edited.findIndex((row) => row[0] === records[4]?.id);
    (edited[target] as string[])[4] = "99.5";
    (edited[target2] as string[])[5] = "red; blue";
    const csv = edited
      .map((row) => row.map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(","))
      .join("\r\n");
    const response = await importCsv(slug, csv);
    expect(response.body.summary).toMatchObject({ updated: 2, unchanged: 4 });
    const after = await storedData(slug);
    for (const row of after) {
      const old = before.find((b) => b.id === row.id);
      if (row.id === records[1]?.id) expect(row).toEqual({ ...old, version: 2, data: { ...old?.data, amount: 99.5 } });
      else if (row.id === records[4]?.id) {
        expect(row).toEqual({ ...old, version: 2, data: { ...old?.data, tags: ["red", "blue"] } });
      } else expect(row).toEqual(old);
    }
    // Formula-like text survived byte for byte.
    expect(after.map((r) => r.data.name).sort()).toEqual(
      ["'=quoted", "+31 20 555", "-minus", "=1+1", "@at", "plain"].sort(),
    );
    const [revision] = await queryRows<{ changes: Record<string, unknown> }>(
      database.db,
      sql`select changes from revisions where batch_id = ${response.body.batchId} and record_id = ${records[1]?.id ?? ""}`,
    );
    expect(revision?.changes).toEqual({ amount: { from: 1, to: 99.5 } });
  });

  it("a stale row sets only its edited cells: unedited is unchanged, another field merges, the same field conflicts", async () => {
    const slug = await newCollection();
    const [a, b, c] = await Promise.all([
      create(slug, { name: "A", status: "Open", amount: 1 }),
      create(slug, { name: "B", status: "Open", amount: 1 }),
      create(slug, { name: "C", status: "Open", amount: 1 }),
    ]);
    if (!a || !b || !c) throw new Error("records");
    for (const r of [a, b, c]) {
      const saved = await saveRecord(database.db, other, {
        recordId: r.id,
        baseVersion: 1,
        values: { status: "Pending" },
        patch: true,
      });
      expect(saved.ok).toBe(true);
    }
    const csv = [
      "id,version,Name,Status,Amount",
      `${a.id},1,A,Open,1`, // unedited, stale: must not revert Otto's status
      `${b.id},1,B,Open,7`, // edits amount: merged onto Otto's version
      `${c.id},1,C,Closed,1`, // edits status, which Otto changed: conflict
    ].join("\n");
    const response = await importCsv(slug, csv);
    expect(response.body.results).toEqual([
      { line: 2, id: a.id, status: "unchanged", version: 2 },
      { line: 3, id: b.id, status: "merged", version: 3 },
      {
        line: 4,
        id: c.id,
        status: "conflict",
        version: 2,
        conflicts: [{ field: "status", by: { id: other.id, name: "Otto" }, at: expect.any(String) }],
      },
    ]);
    const stored = await storedData(slug);
    expect(stored.find((r) => r.id === a.id)?.data.status).toBe("Pending");
    expect(stored.find((r) => r.id === b.id)?.data).toMatchObject({ status: "Pending", amount: 7 });
    expect(stored.find((r) => r.id === c.id)?.data.status).toBe("Pending");
  });

  it("a dry run writes nothing and predicts exactly what the import then does", async () => {
    const slug = await newCollection();
    const a = await create(slug, { name: "A", status: "Open" });
    const b = await create(slug, { name: "B", status: "Open" });
    await saveRecord(database.db, other, { recordId: b.id, baseVersion: 1, values: { status: "Closed" }, patch: true });
    const csv = [
      "name,status,amount,id,version",
      "New one,Open,5,,",
      '"Multi',
      'line",Closed,,,',
      "",
      `A,Pending,,${a.id},1`,
      `B,Pending,,${b.id},1`,
      `No version,Open,,${randomUUID()},`,
      "Bad amount,Open,lots,,",
      `Ghost,Open,,${randomUUID()},1`,
      "Short row",
    ].join("\r\n");
    const recordsBefore = await storedData(slug);
    const revisionsBefore = await revisionCount(slug);
    const dry = await importCsv(slug, csv, "dryRun=1");
    expect(dry.status).toBe(200);
    expect(dry.body.batchId).toBeNull();
    expect(await storedData(slug)).toEqual(recordsBefore);
    expect(await revisionCount(slug)).toBe(revisionsBefore);
    const statuses = (body: { results: { line: number; status: string }[] }) =>
      body.results.map((r) => `${r.line}:${r.status}`);
    expect(statuses(dry.body)).toEqual([
      "2:created",
      "3:created",
      "6:updated",
      "7:conflict",
      "8:invalid",
      "9:invalid",
      "10:not_found",
      "11:invalid",
    ]);
    expect(dry.body.results[4]).toMatchObject({ fields: { version: expect.any(String) } });
    expect(dry.body.results[5]).toMatchObject({ fields: { amount: "Must be a number" } });
    const real = await importCsv(slug, csv);
    expect(real.body.batchId).toEqual(expect.any(String));
    expect(statuses(real.body)).toEqual(statuses(dry.body));
    expect(real.body.summary).toEqual(dry.body.summary);
    expect((await storedData(slug)).length).toBe(recordsBefore.length + 2);
    const created = (await storedData(slug)).find((r) => r.data.name === "Multi\r\nline");
    expect(created?.data).toEqual({ name: "Multi\r\nline", status: "Closed" });
  });

  it("an Idempotency-Key repeat of the same file replays; with another file it is 422 idempotency_mismatch", async () => {
    const slug = await newCollection();
    const key = randomUUID();
    const first = await importCsv(slug, "name,status\nOne,Open\n", "", { "Idempotency-Key": key });
    expect(first.status).toBe(200);
    expect(first.body.summary.created).toBe(1);
    const again = await importCsv(slug, "name,status\nOne,Open\n", "", { "Idempotency-Key": key });
    expect(again.body).toEqual(first.body);
    expectError(
      await importCsv(slug, "name,status\nTwo,Open\n", "", { "Idempotency-Key": key }),
      422,
      "idempotency_mismatch",
    );
    expect((await storedData(slug)).map((r) => r.data.name)).toEqual(["One"]);
  });

  it("refuses bad files with 422 and writes nothing", async () => {
    const slug = await newCollection();
    const a = await create(slug, { name: "A" });
    const revisions = await revisionCount(slug);
    const latin1 = Uint8Array.from([...Buffer.from("name\nCaf"), 0xe9, 0x0a]);
    expectError(await importCsv(slug, latin1), 422, "invalid_file");
    const utf16 = await importCsv(slug, Uint8Array.from([0xff, 0xfe, ...Buffer.from("name\nx", "utf16le")]));
    expectError(utf16, 422, "invalid_file");
    expect(utf16.body.message).toContain("UTF-16");
    expectError(await importCsv(slug, Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00])), 422, "invalid_file");
    const unknown = await importCsv(slug, "name,colour,size\nx,red,1");
    expectError(unknown, 422, "invalid_file");
    expect(unknown.body.columns).toEqual(["colour", "size"]);
    expect(unknown.body.message).toContain("colour");
    const duplicate = await importCsv(slug, `id,version,name\n${a.id},1,x\n${a.id},1,y`);
    expectError(duplicate, 422, "invalid_file");
    expect(duplicate.body.message).toContain("line 2");
    expectError(await importCsv(slug, 'name\n"unclosed\nx'), 422, "invalid_file");
    expectError(await importCsv(slug, ""), 422, "invalid_file");
    expectError(await importCsv(slug, '{"name":"x"}', "", { "content-type": "application/json" }), 422, "invalid_file");
    expectError(await importCsv(slug, `name\n${"x\n".repeat(100_001)}`), 422, "invalid_file");
    expectError(
      await importCsv(slug, "name\nx", "", { "content-length": String(51 * 1024 * 1024) }),
      422,
      "invalid_file",
    );
    expectError(await importCsv(slug, "name\nx", "map=nope"), 400, "bad_query");
    expect(await revisionCount(slug)).toBe(revisions);
    expect(await storedData(slug)).toHaveLength(1);
    // A mapping by hand makes an unknown header usable.
    const mapped = await importCsv(
      slug,
      "Full name,colour\nMapped,red",
      `map=${encodeURIComponent('{"Full name":"name","colour":null}')}`,
    );
    expect(mapped.body.summary.created).toBe(1);
    expect(mapped.body.columns).toEqual([
      { header: "Full name", field: "name" },
      { header: "colour", field: null },
    ]);
  });
});
