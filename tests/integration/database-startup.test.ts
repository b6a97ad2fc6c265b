import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openPostgres } from "@/db/client";
import { DatabaseUnreachableError, databaseLocation, retryWhileUnreachable } from "@/lib/startup";
import { freePort } from "../support/postgres-server";

/** Start-up against a PostgreSQL that is not up (yet): wait for it a while, then say so clearly. */

const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

describe("retryWhileUnreachable", () => {
  it("retries an unreachable real server with one log line per try and a growing pause, then gives up clearly", async () => {
    const url = `postgres://tandem:secret@127.0.0.1:${await freePort()}/tandem`;
    const database = await openPostgres(url, { max: 2 });
    const lines: string[] = [];
    const pauses: number[] = [];
    try {
      const attempt = retryWhileUnreachable(() => database.db.execute(sql`select 1`), {
        where: databaseLocation(url),
        timeoutMs: 1_000,
        initialDelayMs: 100,
        maxDelayMs: 300,
        log: (line) => lines.push(line),
        sleep: async (ms) => {
          pauses.push(ms);
          await new Promise((resolve) => setTimeout(resolve, ms));
        },
      });
      await expect(attempt).rejects.toBeInstanceOf(DatabaseUnreachableError);
      await expect(attempt).rejects.toThrow(/^Could not reach PostgreSQL at 127\.0\.0\.1:\d+ for 1 s \(.*ECONNREFUSED/);
    } finally {
      await database.close();
    }
    expect(pauses.slice(0, 3)).toEqual([100, 200, 300]);
    expect(pauses.every((ms) => ms <= 300)).toBe(true);
    expect(lines).toHaveLength(pauses.length);
    expect(lines[0]).toMatch(
      /^\[db\] PostgreSQL at 127\.0\.0\.1:\d+ is not reachable \(.*ECONNREFUSED.*\); try 1, retrying in 0\.1 s/,
    );
    // The password in DATABASE_URL never reaches the logs.
    expect(lines.join("\n")).not.toContain("secret");
  });

  it("returns as soon as the database answers", async () => {
    let tries = 0;
    const lines: string[] = [];
    const result = await retryWhileUnreachable(
      async () => {
        tries += 1;
        if (tries < 4) throw new Error("Failed query", { cause: refused() });
        return "migrated";
      },
      { where: "PostgreSQL at db:5432", log: (line) => lines.push(line), sleep: async () => {} },
    );
    expect(result).toBe("migrated");
    expect(tries).toBe(4);
    expect(lines).toHaveLength(3);
  });

  it("waits at most about a minute by default, pausing at most 5 s between tries", async () => {
    let clock = 0;
    const pauses: number[] = [];
    const attempt = retryWhileUnreachable(
      async () => {
        clock += 10; // each try takes a little while
        throw refused();
      },
      {
        where: "PostgreSQL at db:5432",
        log: () => {},
        now: () => clock,
        sleep: async (ms) => {
          pauses.push(ms);
          clock += ms;
        },
      },
    );
    await expect(attempt).rejects.toThrow("Could not reach PostgreSQL at db:5432 for 60 s");
    expect(Math.max(...pauses)).toBe(5_000);
    expect(clock).toBeGreaterThan(55_000);
    expect(clock).toBeLessThanOrEqual(60_000);
  });

  it("does not retry a failure that is not about reaching the database", async () => {
    let tries = 0;
    const broken = Object.assign(new Error('relation "records" does not exist'), { code: "42P01" });
    await expect(
      retryWhileUnreachable(
        async () => {
          tries += 1;
          throw broken;
        },
        { where: "PostgreSQL at db:5432", log: () => {}, sleep: async () => {} },
      ),
    ).rejects.toBe(broken);
    expect(tries).toBe(1);
  });
});

describe("databaseLocation", () => {
  it("names host and port, never the password", () => {
    expect(databaseLocation("postgres://u:pw@db.internal:6543/tandem")).toBe("PostgreSQL at db.internal:6543");
    expect(databaseLocation("postgresql://u:pw@db/tandem")).toBe("PostgreSQL at db:5432");
    expect(databaseLocation(undefined)).toBe("the embedded database");
  });
});
