import { sql } from "drizzle-orm";
import { getDatabase } from "@/db/client";

export const dynamic = "force-dynamic";

/** Liveness with the database: 200 when a query answers within 2 s, else 503. */
export async function GET(): Promise<Response> {
  const kind = process.env.DATABASE_URL ? "postgres" : "pglite";
  try {
    const database = await getDatabase();
    await Promise.race([
      database.db.execute(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000)),
    ]);
    return Response.json({ ok: true, db: kind }, { headers: { "Cache-Control": "no-store" } });
  } catch {
    return Response.json(
      { ok: false, db: kind, error: "unavailable", message: "The database is not reachable." },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
