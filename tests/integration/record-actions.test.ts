import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { deleteRecordAction, restoreRecordAction, saveRecordAction } from "@/app/(app)/records/[id]/actions";
import type { FieldDefinition } from "@/lib/fields";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createTestRecord, storedRevisions, type TestDatabase, type TestUser } from "../support/test-database";

/** The record page's server actions, called as the form calls them, signed in by cookie. */

const session = vi.hoisted(() => ({ token: "" }));

vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (name: string) => (name === "tandem_session" ? { value: session.token } : undefined) }),
  headers: async () => new Headers(),
}));

const FIELDS: FieldDefinition[] = [{ key: "title", label: "Title", type: "text", required: true }];

const setup = setUpTestDatabase({ collections: { items: { fields: FIELDS } }, users: { editor: { name: "Edith" } } });
let database: TestDatabase;
let slug: string;
let editor: TestUser;

beforeAll(() => {
  ({ database } = setup);
  slug = setup.collections.items.slug;
  ({ editor } = setup.users);
  session.token = editor.token;
});

describe("record actions", () => {
  it("save through the action: the same domain function as PATCH", async () => {
    const record = await createTestRecord(database.db, editor, { slug }, { title: "Printer jams" });
    const result = await saveRecordAction({
      recordId: record.id,
      baseVersion: 1,
      values: { title: "Fixed" },
      action: "update",
      saveId: randomUUID(),
    });
    expect(result).toMatchObject({ ok: true, record: { version: 2, data: { title: "Fixed" } } });
  });

  it("answers invalid, not an internal error, for versions beyond PostgreSQL's integers", async () => {
    const record = await createTestRecord(database.db, editor, { slug }, { title: "Printer jams" });
    const tooBig = 2_147_483_648;
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const results = [
        await saveRecordAction({
          recordId: record.id,
          baseVersion: tooBig,
          values: { title: "Mine" },
          action: "update",
          saveId: randomUUID(),
        }),
        await deleteRecordAction({ recordId: record.id, baseVersion: tooBig, saveId: randomUUID() }),
        await restoreRecordAction({
          recordId: record.id,
          deletedVersion: tooBig,
          values: { title: "Back" },
          saveId: randomUUID(),
        }),
      ];
      for (const result of results) {
        expect(result).toMatchObject({ ok: false, error: { code: "invalid" } });
      }
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
    expect((await storedRevisions(database.db, record.id)).map((r) => r.version)).toEqual([1]);
  });
});

describe("a read-only API token sent as the session cookie", () => {
  it("is refused by every server action, whatever role it needs, and writes nothing", async () => {
    const { createApiToken, listApiTokens } = await import("@/lib/auth/api-tokens");
    const { createTokenAction } = await import("@/app/(app)/settings/actions");
    const record = await createTestRecord(database.db, editor, { slug }, { title: "Printer jams" });
    const read = await createApiToken(database.db, editor, { name: "Dashboard", scope: "read" });
    const before = await listApiTokens(database.db, { userId: editor.id });
    session.token = read.token;
    try {
      const saved = await saveRecordAction({
        recordId: record.id,
        baseVersion: 1,
        values: { title: "Mine" },
        action: "update",
        saveId: randomUUID(),
      });
      expect(saved).toMatchObject({ ok: false, error: { code: "forbidden" } });
      // A viewer-role action: before, a read token could mint itself a write token here.
      const minted = await createTokenAction({ name: "Escalate", scope: "write", expiresInDays: null });
      expect(minted).toMatchObject({ ok: false, error: { code: "forbidden" } });
    } finally {
      session.token = editor.token;
    }
    expect((await storedRevisions(database.db, record.id)).map((r) => r.version)).toEqual([1]);
    expect(await listApiTokens(database.db, { userId: editor.id })).toHaveLength(before.length);
  });
});
