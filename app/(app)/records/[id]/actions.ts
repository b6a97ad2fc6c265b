"use server";

import { z } from "zod";
import { action, saveIdSchema } from "@/app/_lib/action";
import { unknownId } from "@/app/_lib/known-ids";
import { recordInputSchema } from "@/lib/fields";
import { PG_INT_MAX } from "@/lib/pg-int";
import { setPresenceEditing } from "@/lib/presence";
import { deleteRecord } from "@/lib/records/delete-record";
import { restoreRecord } from "@/lib/records/restore-record";
import { saveRecord } from "@/lib/records/save-record";
import { cancelReservation, reserveSeats } from "@/lib/reservations/reserve-seats";
import { seatsSchema } from "@/lib/reservations/seats";

const saveInput = z.object({
  recordId: z.string().max(100),
  baseVersion: z.number().int().min(0).max(PG_INT_MAX),
  values: recordInputSchema,
  action: z.enum(["update", "merge", "overwrite"]),
  saveId: saveIdSchema,
});

/** The form's save: the same domain function as the API's PATCH, with the full form values. */
export const saveRecordAction = action(
  { role: "editor", input: saveInput, name: "saveRecord" },
  async ({ db, actor }, input) => {
    const unknown = unknownId(input.recordId);
    if (unknown) return unknown;
    const result = await saveRecord(db, actor, input);
    return result.ok ? { ok: true as const, record: result.record, replayed: result.replayed } : result;
  },
);

const deleteInput = z.object({
  recordId: z.string().max(100),
  baseVersion: z.number().int().min(0).max(PG_INT_MAX),
  saveId: saveIdSchema,
});

export const deleteRecordAction = action(
  { role: "editor", input: deleteInput, name: "deleteRecord" },
  async ({ db, actor }, input) => {
    const unknown = unknownId(input.recordId);
    if (unknown) return unknown;
    const result = await deleteRecord(db, actor, input);
    return result.ok ? { ok: true as const, version: result.version } : result;
  },
);

const restoreInput = z.object({
  recordId: z.string().max(100),
  deletedVersion: z.number().int().min(1).max(PG_INT_MAX),
  values: recordInputSchema,
  saveId: saveIdSchema,
});

/** Brings a deleted record back as a new version, with the values the user chose. */
export const restoreRecordAction = action(
  { role: "editor", input: restoreInput, name: "restoreRecord" },
  async ({ db, actor }, input) => {
    const unknown = unknownId(input.recordId);
    if (unknown) return unknown;
    const result = await restoreRecord(db, actor, input);
    return result.ok ? { ok: true as const, record: result.record } : result;
  },
);

const reserveInput = z.object({
  recordId: z.string().max(100),
  seats: seatsSchema,
  requestId: saveIdSchema,
});

/** The panel's "Reserve": the same domain function as `POST /api/records/:id/reservations`. */
export const reserveSeatsAction = action(
  { role: "editor", input: reserveInput, name: "reserveSeats" },
  async ({ db, actor }, input) => unknownId(input.recordId) ?? (await reserveSeats(db, actor, input)),
);

const cancelInput = z.object({ recordId: z.string().max(100), reservationId: z.string().max(100) });

export const cancelReservationAction = action(
  { role: "editor", input: cancelInput, name: "cancelReservation" },
  async ({ db, actor }, input) =>
    unknownId(input.recordId, input.reservationId) ?? (await cancelReservation(db, actor, input)),
);

/**
 * This tab has unsaved edits, or no longer has: shown to everyone else who has the record
 * open ("Bob — editing"). Only the tab's own user can set it; viewers never edit.
 */
export const setPresenceEditingAction = action(
  {
    role: "editor",
    input: z.object({ presenceId: z.uuid(), editing: z.boolean() }),
    name: "setPresenceEditing",
  },
  async ({ db, actor }, input) => ({
    ok: true as const,
    updated: await setPresenceEditing(db, actor, { id: input.presenceId, editing: input.editing }),
  }),
);
