import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as eventsRoute } from "@/app/api/collections/[slug]/events/route";
import { queryRows } from "@/db/client";
import { bulkEdit, undoBatch } from "@/lib/batches/batches";
import type { CollectionView } from "@/lib/collections";
import type { FieldDefinition } from "@/lib/fields";
import { listFanoutQueries, openListCount, watchList } from "@/lib/list-fanout";
import { joinListWatch, leaveListWatch, purgeStaleListWatchers } from "@/lib/list-watchers";
import { joinPresence, leavePresence, setPresenceEditing } from "@/lib/presence";
import { deleteRecord } from "@/lib/records/delete-record";
import { listConditions } from "@/lib/records/list-records";
import { restoreRecord } from "@/lib/records/restore-record";
import { saveRecord } from "@/lib/records/save-record";
import { callRoute, expectError, ORIGIN } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { type SseEvent, sseReader } from "../support/sse";
import { createTestRecord, type TestDatabase, type TestUser } from "../support/test-database";

/**
 * GET /api/collections/:slug/events: every write to the collection, from PostgreSQL's NOTIFY.
 * The route handlers run on their own pool (DATABASE_URL); the writes here go through another
 * client, as another app instance's would.
 */

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", required: true },
  { key: "status", label: "Status", type: "select", options: ["Open", "Closed"] },
];
const EVENT_TIMEOUT_MS = 10_000;

const setup = setUpTestDatabase({
  collections: { watched: { fields: FIELDS }, quiet: { fields: FIELDS } },
  users: { editor: { name: "Edith" }, viewer: { role: "viewer", name: "Vera" } },
});
let database: TestDatabase;
let watched: CollectionView;
let quiet: CollectionView;
let editor: TestUser;
let viewer: TestUser;

beforeAll(() => {
  ({ database } = setup);
  ({ watched, quiet } = setup.collections);
  ({ editor, viewer } = setup.users);
});

type Stream = {
  response: Response;
  /** The next event (comments skipped); fails after EVENT_TIMEOUT_MS. */
  next: () => Promise<SseEvent>;
  /** The client goes away: the request's signal aborts. */
  abort: () => void;
  reader: ReadableStreamDefaultReader<Uint8Array>;
};

const open: Stream[] = [];

afterEach(() => {
  for (const stream of open.splice(0)) stream.abort();
});

async function openEvents(slug: string, as: TestUser = viewer, query = ""): Promise<Stream> {
  const controller = new AbortController();
  const response = await eventsRoute(
    new Request(new URL(`/api/collections/${slug}/events${query}`, ORIGIN), {
      headers: { authorization: `Bearer ${as.token}`, host: new URL(ORIGIN).host },
      signal: controller.signal,
    }),
    { params: Promise.resolve({ slug }) },
  );
  expect(response.status).toBe(200);
  if (!response.body) throw new Error("an event stream has a body");
  const reader = response.body.getReader();
  const { nextWhere } = sseReader(reader, EVENT_TIMEOUT_MS);
  const next = () => nextWhere(() => true);
  const stream = { response, next, abort: () => controller.abort(), reader };
  open.push(stream);
  return stream;
}

async function watcherRows(collectionId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from list_watchers where collection_id = ${collectionId}`,
  );
  return row?.n ?? 0;
}

describe("GET /api/collections/:slug/events", () => {
  it("announces every write to the collection (create, update, delete, restore) and nothing of others", async () => {
    const stream = await openEvents(watched.slug);
    expect(stream.response.headers.get("content-type")).toContain("text/event-stream");
    expect((await stream.next()).event).toBe("ready");
    expect(await watcherRows(watched.id)).toBe(1);

    await createTestRecord(database.db, editor, quiet, { title: "elsewhere" });
    const record = await createTestRecord(database.db, editor, watched, { title: "Printer jams" });
    expect(await stream.next()).toEqual({
      event: "record",
      data: {
        id: record.id,
        version: 1,
        action: "create",
        updatedAt: expect.any(String),
        updatedBy: { id: editor.id, name: "Edith" },
        batchId: null,
        matches: true,
      },
    });
    const saved = await saveRecord(database.db, editor, {
      recordId: record.id,
      baseVersion: 1,
      values: { title: "Fixed" },
    });
    expect(saved.ok).toBe(true);
    expect(await stream.next()).toMatchObject({
      event: "record",
      data: { id: record.id, version: 2, action: "update" },
    });
    await deleteRecord(database.db, editor, { recordId: record.id, baseVersion: 2 });
    expect(await stream.next()).toMatchObject({
      event: "record",
      data: { id: record.id, version: 3, action: "delete" },
    });
    await restoreRecord(database.db, editor, { recordId: record.id, deletedVersion: 3, values: { title: "Fixed" } });
    expect(await stream.next()).toMatchObject({
      event: "record",
      data: { id: record.id, version: 4, action: "restore" },
    });
  });

  it("leaves no watcher behind when the list closes, and then the collection's writes notify no one", async () => {
    const stream = await openEvents(watched.slug);
    await stream.next();
    expect(await watcherRows(watched.id)).toBeGreaterThan(0);
    stream.abort();
    await expect.poll(() => watcherRows(watched.id)).toBe(0);

    // A raw LISTEN sees notifications in commit order: the unwatched write first, then one that
    // must notify (a watched collection). If the first to arrive is the second, the first sent none.
    const listener = postgres(database.url, { max: 1, onnotice: () => {} });
    const heard: string[] = [];
    try {
      await listener.listen("tandem_events", (payload) => heard.push(JSON.parse(payload).recordId));
      const watch = { id: randomUUID(), collectionId: quiet.id, userId: viewer.id };
      const unwatchedRecord = await createTestRecord(database.db, editor, watched, { title: "nobody looks" });
      await joinListWatch(database.db, watch);
      const watchedRecord = await createTestRecord(database.db, editor, quiet, { title: "someone looks" });
      await expect.poll(() => heard.length).toBeGreaterThan(0);
      expect(heard).not.toContain(unwatchedRecord.id);
      expect(heard[0]).toBe(watchedRecord.id);
      await leaveListWatch(database.db, watch.id);
    } finally {
      await listener.end({ timeout: 5 });
    }
  });

  it("answers 404 for an unknown collection and 401 without a session", async () => {
    expectError(
      await callRoute(eventsRoute, {
        path: "/api/collections/nope/events",
        params: { slug: "nope" },
        token: viewer.token,
      }),
      404,
      "not_found",
    );
    expectError(
      await callRoute(eventsRoute, { path: `/api/collections/${watched.slug}/events`, params: { slug: watched.slug } }),
      401,
      "unauthenticated",
    );
  });

  it("fans one notification out to 200 open lists in this process with one database read", async () => {
    // Three distinct list conditions among 200 lists: still one query per write.
    const LISTS = 200;
    const conditions = [
      undefined,
      JSON.stringify({ status: { _eq: "Open" } }),
      JSON.stringify({ status: { _eq: "Closed" } }),
    ];
    const heard = new Map<number, { matches: boolean | null }[]>();
    const stops = await Promise.all(
      Array.from({ length: LISTS }, (_, i) => {
        const filter = conditions[i % conditions.length];
        const where = listConditions(watched, { filter }, viewer.id);
        if (!where.ok) throw new Error(where.error.message);
        return watchList(database.db, watched.id, { key: filter ?? "", where: where.where }, (message) => {
          if (message.kind !== "record" || message.event.recordId !== target) return;
          const list = heard.get(i % conditions.length) ?? [];
          list.push({ matches: message.matches });
          heard.set(i % conditions.length, list);
        });
      }),
    );
    let target = "";
    const watch = { id: randomUUID(), collectionId: watched.id, userId: viewer.id };
    await joinListWatch(database.db, watch);
    try {
      expect(openListCount()).toBe(LISTS);
      const before = listFanoutQueries();
      target = (await createTestRecord(database.db, editor, watched, { title: "fan me out", status: "Open" })).id;
      await expect
        .poll(() => [...heard.values()].reduce((n, list) => n + list.length, 0), { timeout: EVENT_TIMEOUT_MS })
        .toBe(LISTS);
      expect(listFanoutQueries() - before).toBe(1);
      expect(heard.get(0)?.every((m) => m.matches === true)).toBe(true);
      expect(heard.get(1)?.every((m) => m.matches === true)).toBe(true);
      expect(heard.get(2)?.every((m) => m.matches === false)).toBe(true);
    } finally {
      for (const stop of stops) stop();
      await leaveListWatch(database.db, watch.id);
    }
    expect(openListCount()).toBe(0);
  });
});

describe("GET /api/collections/:slug/events with the list's filter", () => {
  it("says whether each written record matches the list now (new match, changed, no longer matches, deleted)", async () => {
    const filter = encodeURIComponent(JSON.stringify({ status: { _eq: "Open" } }));
    const stream = await openEvents(watched.slug, viewer, `?filter=${filter}&q=ticket`);
    expect((await stream.next()).event).toBe("ready");
    const write = async () => (await stream.next()).data as { id: string; version: number; matches: boolean };

    const open = await createTestRecord(database.db, editor, watched, { title: "Open ticket", status: "Open" });
    expect(await write()).toMatchObject({ id: open.id, version: 1, matches: true });
    const closed = await createTestRecord(database.db, editor, watched, { title: "Closed ticket", status: "Closed" });
    expect(await write()).toMatchObject({ id: closed.id, version: 1, matches: false });
    const other = await createTestRecord(database.db, editor, watched, { title: "Open chore", status: "Open" });
    expect(await write()).toMatchObject({ id: other.id, version: 1, matches: false });

    const saved = await saveRecord(database.db, editor, {
      recordId: open.id,
      baseVersion: 1,
      values: { title: "Open ticket", status: "Closed" },
    });
    expect(saved.ok).toBe(true);
    expect(await write()).toMatchObject({ id: open.id, version: 2, matches: false });
    await saveRecord(database.db, editor, {
      recordId: closed.id,
      baseVersion: 1,
      values: { title: "Closed ticket", status: "Open" },
    });
    expect(await write()).toMatchObject({ id: closed.id, version: 2, matches: true });
    await deleteRecord(database.db, editor, { recordId: closed.id, baseVersion: 2 });
    expect(await write()).toMatchObject({ id: closed.id, version: 3, action: "delete", matches: false });
  });

  it("answers 400 bad_query naming a bad filter", async () => {
    const response = await callRoute(eventsRoute, {
      path: `/api/collections/${watched.slug}/events?filter=${encodeURIComponent('{"nope":{"_eq":1}}')}`,
      params: { slug: watched.slug },
      token: viewer.token,
    });
    expectError(response, 400, "bad_query");
    expect(String(response.body?.message)).toContain('"nope"');
  });
});

describe("GET /api/collections/:slug/events carries presence", () => {
  it("tells the list who opens and leaves a record page, the last leave included", async () => {
    const record = await createTestRecord(database.db, editor, watched, { title: "Looked at" });
    const stream = await openEvents(watched.slug);
    expect((await stream.next()).event).toBe("ready");
    const presence = () =>
      stream.next().then((event) => {
        expect(event.event).toBe("presence");
        return event.data as { recordId: string; users: { id: string; name: string; editing: boolean }[] };
      });
    const tab = randomUUID();
    await joinPresence(database.db, editor, { id: tab, recordId: record.id });
    expect(await presence()).toMatchObject({
      recordId: record.id,
      users: [{ id: editor.id, name: "Edith", editing: false }],
    });
    await setPresenceEditing(database.db, editor, { id: tab, editing: true });
    expect(await presence()).toMatchObject({ recordId: record.id, users: [{ id: editor.id, editing: true }] });
    await leavePresence(database.db, { id: tab });
    expect(await presence()).toEqual({ recordId: record.id, users: [] });
  });
});

describe("GET /api/collections/:slug/events opens with presence", () => {
  it("ready says who has which record of the collection open now (and nothing of other collections)", async () => {
    const looked = await createTestRecord(database.db, editor, watched, { title: "Open before the list" });
    const elsewhere = await createTestRecord(database.db, editor, quiet, { title: "Another collection" });
    const tabs = [randomUUID(), randomUUID(), randomUUID()];
    await joinPresence(database.db, editor, { id: tabs[0] ?? "", recordId: looked.id });
    await joinPresence(database.db, viewer, { id: tabs[1] ?? "", recordId: looked.id });
    await joinPresence(database.db, editor, { id: tabs[2] ?? "", recordId: elsewhere.id });
    try {
      const stream = await openEvents(watched.slug);
      const ready = await stream.next();
      expect(ready.event).toBe("ready");
      const presence = (ready.data as { presence: Record<string, { id: string; name: string }[]> }).presence;
      expect(presence[looked.id]?.map((u) => u.name)).toEqual(["Edith", "Vera"]);
      expect(presence[elsewhere.id]).toBeUndefined();
    } finally {
      for (const id of tabs) await leavePresence(database.db, { id });
    }
  });
});

describe("a list on another app instance", () => {
  it("hears a write and a presence change made through this one, with matches, within seconds", async () => {
    const filter = encodeURIComponent(JSON.stringify({ status: { _eq: "Open" } }));
    const child: ChildProcess = spawn(
      process.execPath,
      [
        "--conditions=react-server",
        "--import",
        "tsx",
        "tests/support/stream-instance.ts",
        "collections",
        watched.slug,
        viewer.token,
        `?filter=${filter}`,
      ],
      { env: { ...process.env, DATABASE_URL: database.url }, stdio: ["ignore", "pipe", "inherit"] },
    );
    const heard: SseEvent[] = [];
    try {
      if (!child.stdout) throw new Error("the child has a stdout");
      createInterface({ input: child.stdout }).on("line", (line) => {
        const message = JSON.parse(line) as { event?: string; data?: unknown };
        if (message.event) heard.push({ event: message.event, data: message.data });
      });
      await expect.poll(() => heard.some((e) => e.event === "ready"), { timeout: 30_000 }).toBe(true);

      const record = await createTestRecord(database.db, editor, watched, { title: "Across", status: "Open" });
      const started = Date.now();
      await expect
        .poll(() => heard.find((e) => e.event === "record" && (e.data as { id: string }).id === record.id), {
          timeout: EVENT_TIMEOUT_MS,
        })
        .toMatchObject({ data: { id: record.id, version: 1, action: "create", matches: true } });
      expect(Date.now() - started).toBeLessThan(5_000);

      const tab = randomUUID();
      await joinPresence(database.db, editor, { id: tab, recordId: record.id });
      await expect
        .poll(() =>
          heard.find(
            (e) =>
              e.event === "presence" &&
              (e.data as { recordId: string; users: unknown[] }).recordId === record.id &&
              (e.data as { users: unknown[] }).users.length === 1,
          ),
        )
        .toMatchObject({ data: { recordId: record.id, users: [{ id: editor.id, name: "Edith" }] } });
      await leavePresence(database.db, { id: tab });
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("list_watchers expire", () => {
  it("ignores a dead instance's stale row (no NOTIFY for its collection), and the purge removes it", async () => {
    // A row a crashed process left: unseen for an hour.
    const dead = randomUUID();
    await queryRows(
      database.db,
      sql`insert into list_watchers (id, collection_id, user_id, seen_at)
          values (${dead}, ${quiet.id}, ${viewer.id}, now() - interval '1 hour')`,
    );
    const listener = postgres(database.url, { max: 1, onnotice: () => {} });
    const heard: { kind: string; recordId: string }[] = [];
    try {
      await listener.listen("tandem_events", (payload) => heard.push(JSON.parse(payload)));
      const ignored = await createTestRecord(database.db, editor, quiet, { title: "only a dead list looks" });
      // Someone opens the record (that notifies its own page's watchers) and leaves (the last
      // leave tells only lists: none live here).
      const tab = randomUUID();
      await joinPresence(database.db, editor, { id: tab, recordId: ignored.id });
      await leavePresence(database.db, { id: tab });
      // A live list: now the collection's writes notify, in commit order after the ones above.
      const watch = { id: randomUUID(), collectionId: quiet.id, userId: viewer.id };
      await queryRows(
        database.db,
        sql`insert into list_watchers (id, collection_id, user_id) values (${watch.id}, ${quiet.id}, ${viewer.id})`,
      );
      const noticed = await createTestRecord(database.db, editor, quiet, { title: "a live list looks" });
      await expect.poll(() => heard.some((n) => n.recordId === noticed.id)).toBe(true);
      expect(heard.filter((n) => n.recordId === ignored.id).map((n) => n.kind)).toEqual(["presence"]);
      expect(await purgeStaleListWatchers(database.db)).toBeGreaterThanOrEqual(1);
      const left = await queryRows<{ id: string }>(database.db, sql`select id from list_watchers where id = ${dead}`);
      expect(left).toEqual([]);
      const kept = await queryRows<{ id: string }>(
        database.db,
        sql`select id from list_watchers where id = ${watch.id}`,
      );
      expect(kept).toHaveLength(1);
      await leaveListWatch(database.db, watch.id);
    } finally {
      await listener.end({ timeout: 5 });
    }
  });
});

describe("GET /api/collections/:slug/events for batches", () => {
  it("a bulk edit's and its undo's writes carry their batchId, live and in the since= catch-up", async () => {
    const [clock] = await queryRows<{ now: Date | string }>(database.db, sql`select now() as now`);
    const since = new Date(clock?.now ?? Date.now()).toISOString();
    const first = await createTestRecord(database.db, editor, watched, { title: "batch one" });
    const second = await createTestRecord(database.db, editor, watched, { title: "batch two" });
    const stream = await openEvents(watched.slug);
    expect((await stream.next()).event).toBe("ready");
    const edited = await bulkEdit(database.db, editor, {
      slug: watched.slug,
      request: {
        op: "update",
        items: [
          { id: first.id, version: 1, data: { title: "batch one, edited" } },
          { id: second.id, version: 1, data: { title: "batch two, edited" } },
        ],
      },
    });
    if (!edited.ok) throw new Error(JSON.stringify(edited.error));
    // The batch's writes; a create's notification still in flight when the stream opened may come first.
    const isBatchWrite = (event: SseEvent) =>
      event.event === "record" &&
      (event.data as { action: string }).action !== "create" &&
      [first.id, second.id].includes((event.data as { id: string }).id);
    const live: SseEvent[] = [];
    while (live.length < 2) {
      const event = await stream.next();
      if (isBatchWrite(event)) live.push(event);
    }
    expect(
      live.map((event) => event.data).sort((a, b) => ((a as { id: string }).id < (b as { id: string }).id ? -1 : 1)),
    ).toEqual(
      [first.id, second.id].sort().map((id) => ({
        id,
        version: 2,
        action: "update",
        updatedAt: expect.any(String),
        updatedBy: { id: editor.id, name: "Edith" },
        batchId: edited.batchId,
        matches: true,
      })),
    );
    const undone = await undoBatch(database.db, editor, { batchId: edited.batchId ?? "" });
    if (!undone.ok) throw new Error(JSON.stringify(undone.error));
    const reverted = [await stream.next(), await stream.next()];
    expect(reverted.map((event) => event.data)).toEqual([
      expect.objectContaining({ action: "revert", version: 3, batchId: undone.batchId }),
      expect.objectContaining({ action: "revert", version: 3, batchId: undone.batchId }),
    ]);
    stream.abort();

    // A list loaded before the batch hears the same batchIds from its catch-up.
    const controller = new AbortController();
    const response = await eventsRoute(
      new Request(new URL(`/api/collections/${watched.slug}/events?since=${encodeURIComponent(since)}`, ORIGIN), {
        headers: { authorization: `Bearer ${viewer.token}`, host: new URL(ORIGIN).host },
        signal: controller.signal,
      }),
      { params: Promise.resolve({ slug: watched.slug }) },
    );
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    let text = "";
    const decoder = new TextDecoder();
    try {
      while ((text.match(/"batchId":"/g) ?? []).length < 4) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    } finally {
      controller.abort();
    }
    const events = text
      .split("\n\n")
      .filter((frame) => frame.includes("event: record"))
      .map(
        (frame) =>
          JSON.parse(frame.slice(frame.indexOf("data: ") + 6)) as {
            id: string;
            version: number;
            batchId: string | null;
          },
      );
    const batchIds = (id: string) => events.filter((e) => e.id === id).map((e) => [e.version, e.batchId]);
    expect(batchIds(first.id)).toEqual([
      [1, null],
      [2, edited.batchId],
      [3, undone.batchId],
    ]);
    expect(batchIds(second.id)).toEqual([
      [1, null],
      [2, edited.batchId],
      [3, undone.batchId],
    ]);
  });
});

describe("GET /api/collections/:slug/events?since=", () => {
  it("first sends the collection's writes since the list was loaded, then live ones", async () => {
    const [clock] = await queryRows<{ now: Date | string }>(database.db, sql`select now() as now`);
    const since = new Date(clock?.now ?? Date.now()).toISOString();
    const before = await createTestRecord(database.db, editor, watched, { title: "while the page loaded" });
    const controller = new AbortController();
    const response = await eventsRoute(
      new Request(new URL(`/api/collections/${watched.slug}/events?since=${encodeURIComponent(since)}`, ORIGIN), {
        headers: { authorization: `Bearer ${viewer.token}`, host: new URL(ORIGIN).host },
        signal: controller.signal,
      }),
      { params: Promise.resolve({ slug: watched.slug }) },
    );
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    let text = "";
    const decoder = new TextDecoder();
    try {
      while (!text.includes(before.id)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
      expect(text).toContain('"action":"create"');
    } finally {
      controller.abort();
    }
    expectError(
      await callRoute(eventsRoute, {
        path: `/api/collections/${watched.slug}/events?since=yesterday`,
        params: { slug: watched.slug },
        token: viewer.token,
      }),
      400,
      "bad_query",
    );
  });
});
