import { describe, expect, it } from "vitest";
import type { Draft } from "@/components/drafts";
import type { RecordData } from "@/db/schema";
import type { FieldDefinition } from "@/lib/fields";
import type { RecordView, RevisionView, UserRef } from "@/lib/records/record-view";
import {
  conflictMerges,
  type EditorEvent,
  type EditorState,
  editorPhase,
  editorReducer,
  initialEditorState,
  isDirty,
  mineValues,
  newerRecord,
  type SaveRequest,
} from "./editor-state";

const ALICE: UserRef = { id: "a", name: "Alice" };
const BOB: UserRef = { id: "b", name: "Bob" };
const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", required: true },
  { key: "notes", label: "Notes", type: "longtext" },
  { key: "seats", label: "Seats", type: "integer" },
];

function record(version: number, data: RecordData, by: UserRef = ALICE): RecordView {
  const at = new Date(Date.UTC(2026, 0, 1, 10, version)).toISOString();
  return {
    id: "r1",
    collection: "tickets",
    version,
    data,
    createdAt: at,
    createdBy: ALICE,
    updatedAt: at,
    updatedBy: by,
  };
}

function revision(version: number, changes: RevisionView["changes"], by: UserRef = BOB): RevisionView {
  return { version, action: "update", user: by, at: new Date().toISOString(), changes };
}

const V1 = record(1, { title: "Call back", notes: "Ask about pricing", seats: 2 });

function run(state: EditorState, ...events: EditorEvent[]): EditorState {
  return events.reduce(editorReducer, state);
}

function start(): EditorState {
  return initialEditorState(FIELDS, V1);
}

function saveOf(state: EditorState): SaveRequest {
  return {
    kind: "save",
    action: "update",
    againstVersion: state.base.version,
    values: mineValues(state),
    form: state.values,
  };
}

function draft(values: Record<string, string | boolean>, baseVersion = 1, baseData: RecordData = V1.data): Draft {
  return { recordId: "r1", baseVersion, baseData, values, savedAt: new Date().toISOString() };
}

describe("the record editor's state machine", () => {
  it("starts editing a clean form from the record it was given", () => {
    const state = start();
    expect(editorPhase(state)).toBe("editing");
    expect(state.base).toEqual({ version: 1, data: V1.data });
    expect(state.values).toEqual({ title: "Call back", notes: "Ask about pricing", seats: "2" });
    expect(isDirty(state)).toBe(false);
  });

  it("starts read-only for a viewer or while the lease is not ours", () => {
    expect(editorPhase(initialEditorState(FIELDS, V1, "read_only"))).toBe("read_only");
  });

  describe("edited", () => {
    it("changes the field, clears its error and the 'saved' notice, and makes the form dirty", () => {
      let state: EditorState = { ...start(), errors: { title: "Title is required", seats: "Must be a whole number" } };
      state = { ...state, notice: { kind: "saved", version: 1, action: "update" } };
      state = run(state, { type: "edited", key: "title", value: "Call back today" });
      expect(state.values.title).toBe("Call back today");
      expect(state.errors).toEqual({ seats: "Must be a whole number" });
      expect(state.notice).toEqual({ kind: "none" });
      expect(isDirty(state)).toBe(true);
    });

    it("keeps an error notice while typing (it names what to try again)", () => {
      const state = run(
        start(),
        { type: "failed", message: "The server could not be reached.", retry: null },
        { type: "edited", key: "title", value: "x" },
      );
      expect(state.notice.kind).toBe("error");
    });

    it("is ignored while the form is read-only", () => {
      const state = run(start(), { type: "access_changed", access: "read_only" });
      expect(run(state, { type: "edited", key: "title", value: "x" })).toBe(state);
    });
  });

  describe("saving", () => {
    it("save_requested: the form is saving; a second request while one is in flight is ignored", () => {
      const edited = run(start(), { type: "edited", key: "title", value: "New" });
      const request = saveOf(edited);
      const saving = run(edited, { type: "save_requested", request });
      expect(editorPhase(saving)).toBe("saving");
      expect(saving.pending).toBe(request);
      expect(run(saving, { type: "save_requested", request: { ...request, form: {} } })).toBe(saving);
    });

    it("saved: the base and the form become the saved record, with a 'Saved' notice", () => {
      const edited = run(start(), { type: "edited", key: "title", value: "New" });
      const request = saveOf(edited);
      const saved = run(
        edited,
        { type: "save_requested", request },
        { type: "saved", record: record(2, { ...V1.data, title: "New" }), request },
      );
      expect(editorPhase(saved)).toBe("editing");
      expect(saved.base.version).toBe(2);
      expect(isDirty(saved)).toBe(false);
      expect(saved.notice).toEqual({ kind: "saved", version: 2, action: "update" });
      expect(saved.latest.version).toBe(2);
    });

    it("saved: typing after the request left survives on the new base", () => {
      const edited = run(start(), { type: "edited", key: "title", value: "New" });
      const request = saveOf(edited);
      const saved = run(
        edited,
        { type: "save_requested", request },
        { type: "edited", key: "notes", value: "typed meanwhile" },
        { type: "saved", record: record(2, { ...V1.data, title: "New" }), request },
      );
      expect(saved.base.version).toBe(2);
      expect(saved.values.notes).toBe("typed meanwhile");
      expect(isDirty(saved)).toBe(true);
    });

    it("saved after a restore says 'restore'", () => {
      const request: SaveRequest = { kind: "restore", deletedVersion: 3, values: V1.data, form: start().values };
      const state = run(
        start(),
        { type: "save_requested", request },
        { type: "saved", record: record(4, V1.data), request },
      );
      expect(state.notice).toEqual({ kind: "saved", version: 4, action: "restore" });
    });

    it("invalid from the browser's own check: only the field errors change", () => {
      const state = run(
        start(),
        { type: "edited", key: "title", value: "" },
        { type: "invalid", fields: { title: "Title is required" } },
      );
      expect(state.errors).toEqual({ title: "Title is required" });
      expect(editorPhase(state)).toBe("editing");
    });

    it("invalid from the server: errors shown, the save ends, an open conflict dialog steps aside", () => {
      let state = run(start(), { type: "edited", key: "seats", value: "x" });
      state = run(state, { type: "conflict", current: record(2, V1.data, BOB), changes: [] });
      const request = saveOf(state);
      state = run(
        state,
        { type: "save_requested", request },
        { type: "invalid", fields: { seats: "Must be a whole number" } },
      );
      expect(state.pending).toBeNull();
      expect(state.errors).toEqual({ seats: "Must be a whole number" });
      expect(state.surface).toMatchObject({ kind: "conflict", open: false });
    });

    it("failed: an error notice with the request to try again; the edits stay", () => {
      const edited = run(start(), { type: "edited", key: "title", value: "New" });
      const request = saveOf(edited);
      const state = run(
        edited,
        { type: "save_requested", request },
        { type: "failed", message: "Unreachable", retry: request },
      );
      expect(editorPhase(state)).toBe("editing");
      expect(state.notice).toEqual({ kind: "error", message: "Unreachable", retry: request });
      expect(state.values.title).toBe("New");
    });

    it("gone: a save that finds no record and nothing to restore says so", () => {
      const state = run(start(), { type: "save_requested", request: saveOf(start()) }, { type: "gone" });
      expect(state.notice).toEqual({ kind: "error", message: "This record no longer exists.", retry: null });
      expect(state.pending).toBeNull();
    });
  });

  describe("conflicts", () => {
    const theirs = record(2, { ...V1.data, title: "Bob's title" }, BOB);
    const changes = [revision(2, { title: { from: "Call back", to: "Bob's title" } })];

    function conflicted(): EditorState {
      const edited = run(start(), { type: "edited", key: "title", value: "Alice's title" });
      return run(
        edited,
        { type: "save_requested", request: saveOf(edited) },
        { type: "conflict", current: theirs, changes },
      );
    }

    it("conflict: the dialog opens with theirs and the changes since the base; the form is untouched", () => {
      const state = conflicted();
      expect(editorPhase(state)).toBe("conflict");
      expect(state.surface).toMatchObject({ kind: "conflict", open: true, current: theirs, decisions: {} });
      expect(state.values.title).toBe("Alice's title");
      expect(state.base.version).toBe(1);
      expect(conflictMerges(state).map((m) => [m.key, m.status])).toEqual([["title", "conflict"]]);
      expect(newerRecord(state)?.version).toBe(2);
    });

    it("decided: a decision is kept per field", () => {
      const state = run(conflicted(), { type: "decided", key: "title", decision: { source: "theirs" } });
      expect(state.surface).toMatchObject({ decisions: { title: { source: "theirs" } } });
    });

    it("a newer conflict keeps decisions on fields nobody changed again and adds the new changes", () => {
      let state = run(
        start(),
        { type: "edited", key: "title", value: "Alice's title" },
        { type: "edited", key: "notes", value: "Alice's notes" },
      );
      const both = record(2, { ...V1.data, title: "Bob's title", notes: "Bob's notes" }, BOB);
      state = run(
        state,
        {
          type: "conflict",
          current: both,
          changes: [revision(2, { title: { from: "Call back", to: "Bob's title" } })],
        },
        { type: "decided", key: "title", decision: { source: "mine" } },
        { type: "decided", key: "notes", decision: { source: "theirs" } },
      );
      const again = record(3, { ...both.data, notes: "Carol's notes" });
      state = run(state, {
        type: "conflict",
        current: again,
        changes: [revision(3, { notes: { from: "Bob's notes", to: "Carol's notes" } })],
      });
      expect(state.surface).toMatchObject({ decisions: { title: { source: "mine" } } });
      expect(state.surface.kind === "conflict" && state.surface.changes.map((c) => c.version)).toEqual([2, 3]);
    });

    it("surface_closed and surface_opened: 'Keep editing' puts the save on hold; 'Review changes' reopens it", () => {
      const closed = run(conflicted(), { type: "surface_closed" });
      expect(closed.surface).toMatchObject({ kind: "conflict", open: false });
      expect(editorPhase(closed)).toBe("conflict");
      expect(run(closed, { type: "surface_opened" }).surface).toMatchObject({ open: true });
      expect(run(start(), { type: "surface_opened" }).surface).toEqual({ kind: "none" });
    });

    it("saved after a merge: the conflict is over", () => {
      const state = conflicted();
      const request: SaveRequest = {
        kind: "save",
        action: "merge",
        againstVersion: 2,
        values: theirs.data,
        form: state.values,
      };
      const merged = run(
        state,
        { type: "save_requested", request },
        { type: "saved", record: record(3, theirs.data), request },
      );
      expect(merged.surface).toEqual({ kind: "none" });
      expect(merged.notice).toEqual({ kind: "saved", version: 3, action: "merge" });
      expect(editorPhase(merged)).toBe("editing");
    });

    it("discarded_mine: the form takes theirs, and the edits set aside are offered back", () => {
      const kept = draft({ title: "Alice's title", notes: "Ask about pricing", seats: "2" });
      const state = run(conflicted(), { type: "discarded_mine", kept });
      expect(state.base.version).toBe(2);
      expect(state.values.title).toBe("Bob's title");
      expect(state.surface).toEqual({ kind: "none" });
      expect(state.drafts.discarded).toBe(kept);
      expect(run(start(), { type: "discarded_mine", kept })).toEqual(start());
    });

    it("conflict_opened: another feature opens the dialog with given 'mine' values (restore an old version)", () => {
      const now = record(5, { title: "Today", notes: "Current notes", seats: 9 }, BOB);
      const old = { title: "Call back", notes: "Ask about pricing", seats: 2 };
      const state = run(initialEditorState(FIELDS, now), {
        type: "conflict_opened",
        base: { version: 5, data: now.data },
        mine: old,
        current: now,
        changes: [],
        origin: { kind: "restore", version: 1 },
      });
      expect(editorPhase(state)).toBe("conflict");
      expect(state.values).toEqual({ title: "Call back", notes: "Ask about pricing", seats: "2" });
      expect(state.surface).toMatchObject({ kind: "conflict", open: true, origin: { kind: "restore", version: 1 } });
      expect(conflictMerges(state).map((m) => [m.key, m.status])).toEqual([
        ["title", "mine"],
        ["notes", "mine"],
        ["seats", "mine"],
      ]);
    });

    it("conflict_opened: ignored while a save is in flight or the form is read-only", () => {
      const event: EditorEvent = {
        type: "conflict_opened",
        base: { version: 1, data: V1.data },
        mine: { title: "Batch" },
        current: V1,
        changes: [],
        origin: { kind: "batch", label: "Bulk edit" },
      };
      const saving = run(start(), { type: "save_requested", request: saveOf(start()) });
      expect(run(saving, event)).toBe(saving);
      const readOnly = run(start(), { type: "access_changed", access: "read_only" });
      expect(run(readOnly, event)).toBe(readOnly);
    });
  });

  describe("deletion", () => {
    const deletedInfo = { at: new Date().toISOString(), by: BOB, version: 2, data: V1.data };

    it("delete_asked, delete_cancelled: the confirmation comes and goes", () => {
      const asked = run(start(), { type: "delete_asked" });
      expect(asked.confirmingDelete).toBe(true);
      expect(run(asked, { type: "delete_cancelled" }).confirmingDelete).toBe(false);
      expect(
        run(start(), { type: "access_changed", access: "read_only" }, { type: "delete_asked" }).confirmingDelete,
      ).toBe(false);
    });

    it("delete_requested: deleting against the form's base", () => {
      const state = run(start(), { type: "delete_asked" }, { type: "delete_requested" });
      expect(editorPhase(state)).toBe("deleting");
      expect(state.pending).toEqual({ kind: "delete", againstVersion: 1 });
      expect(state.confirmingDelete).toBe(false);
    });

    it("deleted: someone deleted it meanwhile; the dialog offers to restore with my edits", () => {
      const edited = run(start(), { type: "edited", key: "title", value: "Mine" });
      const state = run(
        edited,
        { type: "save_requested", request: saveOf(edited) },
        { type: "deleted", deleted: deletedInfo },
      );
      expect(editorPhase(state)).toBe("deleted");
      expect(state.surface).toEqual({ kind: "deleted", deleted: deletedInfo, open: true });
      expect(state.values.title).toBe("Mine");
      expect(run(state, { type: "surface_closed" }).surface).toMatchObject({ kind: "deleted", open: false });
    });

    it("a deletion replaces a conflict (one surface at a time)", () => {
      const state = run(
        start(),
        { type: "conflict", current: record(2, V1.data, BOB), changes: [] },
        { type: "deleted", deleted: deletedInfo },
      );
      expect(state.surface.kind).toBe("deleted");
    });

    it("edits_dropped: the form goes back to its base", () => {
      const state = run(start(), { type: "edited", key: "title", value: "Mine" }, { type: "edits_dropped" });
      expect(isDirty(state)).toBe(false);
    });
  });

  describe("what the server shows meanwhile", () => {
    it("remote_changed: a newer version is noticed, never applied to the form", () => {
      const edited = run(start(), { type: "edited", key: "title", value: "Mine" });
      const state = run(edited, { type: "remote_changed", record: record(2, { title: "Theirs" }, BOB), gone: false });
      expect(newerRecord(state)?.version).toBe(2);
      expect(state.base.version).toBe(1);
      expect(state.values.title).toBe("Mine");
      // An older answer arriving late does not move the latest back.
      expect(run(state, { type: "remote_changed", record: V1, gone: false }).latest.version).toBe(2);
    });

    it("remote_changed with gone: the record was deleted in the background", () => {
      expect(run(start(), { type: "remote_changed", record: V1, gone: true }).goneRemotely).toBe(true);
    });

    it("latest_loaded: 'Load the latest version' moves base and form", () => {
      const latest = record(2, { title: "Theirs" }, BOB);
      const state = run(
        start(),
        { type: "remote_changed", record: latest, gone: false },
        { type: "latest_loaded", record: latest },
      );
      expect(state.base.version).toBe(2);
      expect(state.values.title).toBe("Theirs");
      expect(newerRecord(state)).toBeNull();
    });
  });

  describe("drafts", () => {
    it("drafts_loaded: a draft that differs from its base is offered; one that does not is not", () => {
      const offer = draft({ title: "Unsaved", notes: "Ask about pricing", seats: "2" });
      const state = run(start(), { type: "drafts_loaded", offer, discarded: null });
      expect(state.drafts).toEqual({ ready: true, offer, discarded: null });
      const same = draft({ title: "Call back", notes: "Ask about pricing", seats: "2" });
      expect(run(start(), { type: "drafts_loaded", offer: same, discarded: null }).drafts.offer).toBeNull();
    });

    it("draft_resumed: the form takes the draft and its base", () => {
      const offer = draft({ title: "Unsaved", notes: "", seats: "2" }, 1);
      const state = run(
        start(),
        { type: "drafts_loaded", offer, discarded: offer },
        { type: "draft_resumed", draft: offer },
      );
      expect(state.values.title).toBe("Unsaved");
      expect(state.drafts).toEqual({ ready: true, offer: null, discarded: null });
      expect(isDirty(state)).toBe(true);
    });

    it("draft_dismissed and discarded_forgotten drop the offers", () => {
      const offer = draft({ title: "Unsaved", notes: "", seats: "2" });
      const state = run(start(), { type: "drafts_loaded", offer, discarded: offer });
      expect(run(state, { type: "draft_dismissed" }).drafts.offer).toBeNull();
      expect(run(state, { type: "discarded_forgotten" }).drafts.discarded).toBeNull();
    });
  });

  describe("access", () => {
    it("access_changed to lease_lost or read_only: edits are kept, the form is read-only until access returns", () => {
      const edited = run(start(), { type: "edited", key: "title", value: "Mine" }, { type: "delete_asked" });
      const lost = run(edited, { type: "access_changed", access: "lease_lost" });
      expect(editorPhase(lost)).toBe("lease_lost");
      expect(lost.values.title).toBe("Mine");
      expect(lost.confirmingDelete).toBe(false);
      const lowered = run(edited, { type: "access_changed", access: "read_only" });
      expect(editorPhase(lowered)).toBe("read_only");
      const back = run(lost, { type: "access_changed", access: "edit" });
      expect(editorPhase(back)).toBe("editing");
      expect(isDirty(back)).toBe(true);
      expect(run(back, { type: "access_changed", access: "edit" })).toBe(back);
    });
  });

  describe("schema changes", () => {
    it("schema_changed is offered; schema_reloaded keeps the edits of fields that still exist", () => {
      const edited = run(
        start(),
        { type: "edited", key: "title", value: "Mine" },
        { type: "edited", key: "seats", value: "7" },
      );
      const fields: FieldDefinition[] = [
        { key: "title", label: "Title", type: "text", required: true },
        { key: "priority", label: "Priority", type: "select", options: ["low", "high"] },
      ];
      const offered = run(edited, { type: "schema_changed", fields });
      expect(offered.schemaChange).toEqual({ fields });
      expect(offered.fields).toBe(FIELDS);
      const reloaded = run(offered, { type: "schema_reloaded" });
      expect(reloaded.fields).toBe(fields);
      // The removed field's edit stays in the values (the browser's draft), never in a save.
      expect(reloaded.values).toEqual({ title: "Mine", priority: "", seats: "7" });
      expect(mineValues(reloaded)).toEqual({ title: "Mine", priority: null });
      expect(reloaded.schemaNote).toEqual({
        added: [{ key: "priority", label: "Priority", required: false }],
        keptEdits: [{ key: "seats", label: "Seats" }],
      });
      expect(isDirty(reloaded)).toBe(true);
      expect(reloaded.schemaChange).toBeNull();
      expect(run(start(), { type: "schema_reloaded" })).toEqual(start());
    });

    it("schema_reloaded: an unedited removed field is simply gone; a new required field says what it needs", () => {
      const edited = run(start(), { type: "edited", key: "notes", value: "Typed" });
      const fields: FieldDefinition[] = [
        ...FIELDS.filter((f) => f.key !== "seats"),
        {
          key: "due",
          label: "Due",
          type: "date",
          required: true,
        },
      ];
      const reloaded = run(edited, { type: "schema_changed", fields }, { type: "schema_reloaded" });
      expect(reloaded.values).toEqual({ title: "Call back", notes: "Typed", due: "" });
      expect(reloaded.errors).toEqual({ due: "Due is required" });
      expect(reloaded.schemaNote).toEqual({ added: [{ key: "due", label: "Due", required: true }], keptEdits: [] });
      // Filling it clears the message; a save clears the note.
      const filled = run(reloaded, { type: "edited", key: "due", value: "2026-03-01" });
      expect(filled.errors).toEqual({});
      const request = saveOf(filled);
      expect(request.values).toMatchObject({ notes: "Typed", due: "2026-03-01" });
      const saved = run(
        filled,
        { type: "save_requested", request },
        { type: "saved", record: record(2, { ...V1.data, notes: "Typed", due: "2026-03-01" }), request },
      );
      expect(saved.schemaNote).toBeNull();
      expect(run(reloaded, { type: "schema_note_dismissed" }).schemaNote).toBeNull();
    });

    it("a save the server refuses with field errors (an older schema) shows them at the fields", () => {
      const edited = run(start(), { type: "edited", key: "title", value: "Mine" });
      const request = saveOf(edited);
      const refused = run(
        edited,
        { type: "save_requested", request },
        { type: "invalid", fields: { due: "Due is required" } },
      );
      expect(refused.errors).toEqual({ due: "Due is required" });
      expect(editorPhase(refused)).toBe("editing");
      expect(refused.values.title).toBe("Mine");
      // Reloading the form onto the schema that has the field keeps the message at it.
      const fields: FieldDefinition[] = [...FIELDS, { key: "due", label: "Due", type: "date", required: true }];
      const reloaded = run(refused, { type: "schema_changed", fields }, { type: "schema_reloaded" });
      expect(reloaded.errors).toEqual({ due: "Due is required" });
      expect(reloaded.values.title).toBe("Mine");
    });
  });

  describe("restoring an old version", () => {
    it("conflict_opened from a stale restore: base = version looked at, mine = old values, theirs = latest", () => {
      const v2 = record(2, { title: "Call back", notes: "Changed", seats: 2 }, BOB);
      const v3 = record(3, { title: "Call back", notes: "Changed", seats: 5 }, BOB);
      const looking = run(start(), { type: "latest_loaded", record: v2 });
      const opened = run(looking, {
        type: "conflict_opened",
        base: { version: 2, data: v2.data },
        mine: V1.data,
        current: v3,
        changes: [revision(3, { seats: { from: 2, to: 5 } })],
        origin: { kind: "restore", version: 1 },
      });
      expect(editorPhase(opened)).toBe("conflict");
      expect(opened.base).toEqual({ version: 2, data: v2.data });
      expect(opened.values.notes).toBe("Ask about pricing");
      expect(opened.latest.version).toBe(3);
      const merges = conflictMerges(opened);
      expect(merges.find((m) => m.key === "notes")?.proposal?.source).toBe("mine");
      expect(merges.find((m) => m.key === "seats")?.proposal?.source).toBe("theirs");
      if (opened.surface.kind !== "conflict") throw new Error("no conflict");
      expect(opened.surface.origin).toEqual({ kind: "restore", version: 1 });
      expect(opened.surface.changes.map((c) => c.version)).toEqual([3]);
    });

    it("conflict_opened sets unsaved edits aside (offered back) and is ignored while read-only or saving", () => {
      const edited = run(start(), { type: "edited", key: "title", value: "Typed" });
      const keptAside = draft(edited.values);
      const event: EditorEvent = {
        type: "conflict_opened",
        base: { version: 1, data: V1.data },
        mine: { title: "Old" },
        current: record(2, { title: "New" }, BOB),
        changes: [],
        origin: { kind: "restore", version: 1 },
        keptAside,
      };
      const opened = run(edited, event);
      expect(opened.drafts.discarded).toBe(keptAside);
      expect(opened.values.title).toBe("Old");
      const readOnly = run(edited, { type: "access_changed", access: "read_only" });
      expect(run(readOnly, event)).toBe(readOnly);
    });
  });
});
