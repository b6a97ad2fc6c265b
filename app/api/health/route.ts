import { sql } from "drizzle-orm";
import { z } from "zod";
import { getDatabase } from "@/db/client";
import { env } from "@/lib/env";
import { registerRoute } from "../_lib/openapi";

export const dynamic = "force-dynamic";

const TIMEOUT_MS = 2000;

/** Liveness with the database: 200 when a query answers within 2 s, else 503. */
export async function GET(): Promise<Response> {
  const kind = env().DATABASE_URL ? "postgres" : "pglite";
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const database = await getDatabase();
    await Promise.race([
      database.db.execute(sql`select 1`),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), TIMEOUT_MS);
      }),
    ]);
    return Response.json({ ok: true, db: kind }, { headers: { "Cache-Control": "no-store" } });
  } catch {
    return Response.json(
      { ok: false, db: kind, error: "unavailable", message: "The database is not reachable." },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  } finally {
    // A pending 2 s timer per probe would pile up under a frequent health check.
    clearTimeout(timer);
  }
}

registerRoute({
  method: "get",
  path: "/api/health",
  summary: "Liveness with the database",
  role: "public",
  responses: {
    200: { description: "Up", schema: z.object({ ok: z.literal(true), db: z.enum(["pglite", "postgres"]) }) },
  },
});
