import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import type { Role } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { isDatabaseUnavailable } from "@/lib/database-errors";
import { type ActionFailed, FAILURE_MESSAGES } from "@/lib/errors";
import { zodFields } from "@/lib/zod-fields";
import { authorizeFromCookies } from "./session";

export type { ActionFailed, ActionFailure } from "@/lib/errors";

/**
 * The one action builder: authenticate and authorise (through `authorize`), parse the
 * input with zod, call one domain function, and turn unexpected failures into a plain
 * message (logged here, never sent raw to the browser).
 */
export function action<S extends z.ZodType, R extends { ok: boolean }>(
  options: { role: Role; input: S; name: string },
  run: (context: { db: Db; actor: Actor }, input: z.infer<S>) => Promise<R>,
): (input: z.input<S>) => Promise<R | ActionFailed> {
  return async (input) => {
    try {
      // Every server action may write: a read-only API token (sent as the cookie) is refused
      // whatever role the action needs, as on the HTTP API.
      const { db, auth } = await authorizeFromCookies(options.role, { write: true });
      if (!auth.ok) {
        return {
          ok: false,
          error:
            auth.error.code === "unauthenticated"
              ? {
                  code: "unauthenticated",
                  message: FAILURE_MESSAGES.unauthenticated,
                }
              : auth.error,
        };
      }
      const parsed = options.input.safeParse(input);
      if (!parsed.success) return { ok: false, error: { code: "invalid", fields: zodFields(parsed.error) } };
      return await run({ db, actor: auth.actor }, parsed.data);
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        return {
          ok: false,
          error: {
            code: "unavailable",
            message: FAILURE_MESSAGES.unavailable,
          },
        };
      }
      console.error(`[action] ${options.name} failed:`, error);
      return {
        ok: false,
        error: { code: "internal", message: FAILURE_MESSAGES.internal },
      };
    }
  };
}

export const saveIdSchema = z.string().min(8).max(100);
