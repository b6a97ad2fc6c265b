"use server";

import { z } from "zod";
import { action } from "@/app/_lib/action";
import { unknownId } from "@/app/_lib/known-ids";
import { acquireLease } from "@/lib/leases/acquire-lease";
import { releaseLease } from "@/lib/leases/release-lease";

/** The record page's edit lease (DESIGN.md guarantee 6): the same domain calls as the HTTP API. */

const recordId = z.string().max(100);
/** The browser tab asking: another tab of the same user neither renews nor releases its lease. */
const tab = z.uuid();

/** Acquires the lease when the form opens; `renew` is the heartbeat, which never takes a lease it lost. */
export const acquireLeaseAction = action(
  { role: "editor", input: z.object({ recordId, tab, renew: z.boolean().optional() }), name: "acquireLease" },
  async ({ db, actor }, input) => {
    const unknown = unknownId(input.recordId);
    if (unknown) return unknown;
    const result = await acquireLease(db, actor, input);
    return result.ok ? { ok: true as const, lease: result.lease } : result;
  },
);

/** "Take over": admins at any time with a reason, anyone once the lease has expired. */
export const takeOverLeaseAction = action(
  {
    role: "editor",
    input: z.object({ recordId, tab, reason: z.string().trim().max(500).optional() }),
    name: "takeOverLease",
  },
  async ({ db, actor }, input) => {
    const unknown = unknownId(input.recordId);
    if (unknown) return unknown;
    const result = await acquireLease(db, actor, { ...input, takeover: true });
    return result.ok ? { ok: true as const, lease: result.lease } : result;
  },
);

/** Gives the lease up when the form closes (navigating away within the app). */
export const releaseLeaseAction = action(
  { role: "editor", input: z.object({ recordId, tab }), name: "releaseLease" },
  async ({ db, actor }, input) => {
    const unknown = unknownId(input.recordId);
    if (unknown) return unknown;
    const result = await releaseLease(db, actor, input);
    return result.ok ? { ok: true as const, released: result.released } : result;
  },
);
