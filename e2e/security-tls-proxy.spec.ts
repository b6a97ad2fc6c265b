import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { freePort, type PostgresServer, startPostgresServer } from "../tests/support/postgres-server";

/**
 * The app behind a real TLS reverse proxy (README "Security"): a Node https server with a
 * self-signed certificate made here (openssl), forwarding to the app started through
 * scripts/serve-app.mjs as an operator would, and adding X-Forwarded-For / -Proto / -Host as
 * nginx does. Two app instances: one with TRUSTED_PROXIES and APP_ORIGIN (the documented
 * set-up), one with TRUSTED_PROXIES only (https learnt from the proxy alone). Clients connect
 * from other loopback addresses than the proxy's (127.0.0.2, 127.0.0.3; Linux answers on all
 * of 127.0.0.0/8 without configuration), so "the proxy" and "a client" are told apart by
 * address as they would be on a network.
 *
 * Not a browser test, but it needs the built app, so it runs with the browser tests (after the
 * build in `npm test`).
 */

const PASSWORD = "tls-proxy-password-1";
const PROXY_ADDRESS = "127.0.0.1";
const CLIENT = "127.0.0.2";
const STRANGER = "127.0.0.3";

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };

let server: PostgresServer;
let databaseUrl: string;
let folder: string;
let cert: Buffer;
const apps: ChildProcess[] = [];
const proxies: https.Server[] = [];
/** Instance A: TRUSTED_PROXIES and APP_ORIGIN; B: TRUSTED_PROXIES only. */
const ports = { appA: 0, proxyA: 0, appB: 0, proxyB: 0 };

function startApp(port: number, env: Record<string, string>): ChildProcess {
  const app = spawn(process.execPath, ["scripts/serve-app.mjs"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      DEMO_PASSWORD: PASSWORD,
      ...env,
    },
  });
  apps.push(app);
  return app;
}

async function waitUp(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the app on ${port} did not start`);
}

/** A TLS-terminating reverse proxy to `target`, adding the headers nginx's usual configuration adds. */
async function startProxy(port: number, target: number, key: Buffer): Promise<void> {
  const proxy = https.createServer({ key, cert }, (request, response) => {
    const forwardedFor = [request.headers["x-forwarded-for"], request.socket.remoteAddress].filter(Boolean).join(", ");
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: target,
        localAddress: PROXY_ADDRESS,
        method: request.method,
        path: request.url,
        headers: {
          ...request.headers,
          "x-forwarded-for": forwardedFor,
          "x-forwarded-proto": "https",
          "x-forwarded-host": request.headers.host ?? "",
        },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => {
      response.writeHead(502);
      response.end();
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(port, PROXY_ADDRESS, resolve));
  proxies.push(proxy);
}

/** A request from `from` (a loopback address), over https to a proxy or over http straight to an app. */
function send(
  options: { tls: boolean; port: number; from: string; method?: string; path: string; body?: unknown },
  headers: Record<string, string> = {},
): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const client = options.tls ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      {
        host: "localhost",
        port: options.port,
        localAddress: options.from,
        method: options.method ?? "GET",
        path: options.path,
        ca: cert,
        headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

const viaProxyA = (o: Omit<Parameters<typeof send>[0], "tls" | "port" | "from">, headers?: Record<string, string>) =>
  send({ ...o, tls: true, port: ports.proxyA, from: CLIENT }, headers);
const originA = () => `https://localhost:${ports.proxyA}`;

function setCookie(answer: Answer): string {
  const cookie = answer.headers["set-cookie"]?.find((c) => c.startsWith("tandem_session="));
  expect(cookie, "a session cookie").toBeDefined();
  return cookie ?? "";
}

async function signIn(
  target: { tls: boolean; port: number; from: string },
  headers: Record<string, string>,
): Promise<{ answer: Answer; cookie: string }> {
  const answer = await send(
    { ...target, method: "POST", path: "/api/session", body: { email: "alice@example.com", password: PASSWORD } },
    headers,
  );
  expect(answer.status, answer.body).toBe(200);
  const cookie = setCookie(answer);
  return { answer, cookie: cookie.split(";")[0] ?? "" };
}

async function withDatabase<T>(run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    return await run(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

test.describe.configure({ mode: "serial", timeout: 240_000 });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  folder = mkdtempSync(path.join(tmpdir(), "tandem-tls-"));
  const keyFile = path.join(folder, "key.pem");
  const certFile = path.join(folder, "cert.pem");
  // A throwaway certificate for localhost (openssl ships with every CI image; node:crypto makes no certificates).
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  cert = readFileSync(certFile);
  const key = readFileSync(keyFile);

  server = await startPostgresServer({ name: "tls", fsync: false });
  databaseUrl = server.url();
  // The database modules are server-only: migrate and seed through the npm script, as an operator would.
  execFileSync("npm", ["run", "--silent", "db:seed"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, DEMO_PASSWORD: PASSWORD },
    stdio: "ignore",
  });

  for (const name of ["appA", "proxyA", "appB", "proxyB"] as const) ports[name] = await freePort();
  startApp(ports.appA, { TRUSTED_PROXIES: PROXY_ADDRESS, APP_ORIGIN: `https://localhost:${ports.proxyA}` });
  startApp(ports.appB, { TRUSTED_PROXIES: PROXY_ADDRESS });
  await Promise.all([waitUp(ports.appA), waitUp(ports.appB)]);
  await startProxy(ports.proxyA, ports.appA, key);
  await startProxy(ports.proxyB, ports.appB, key);
});

test.afterAll(async () => {
  for (const proxy of proxies) proxy.close();
  for (const app of apps) app.kill("SIGTERM");
  await server?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test("through the proxy: the session cookie is Secure and pages send HSTS", async () => {
  const { answer } = await signIn({ tls: true, port: ports.proxyA, from: CLIENT }, { origin: originA() });
  expect(setCookie(answer)).toMatch(/; Secure/);
  expect(setCookie(answer)).toMatch(/; HttpOnly/);
  const page = await viaProxyA({ path: "/login" });
  expect(page.status).toBe(200);
  expect(page.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  expect(page.headers["content-security-policy"]).toContain("upgrade-insecure-requests");
});

test("a cookie write with the https origin is accepted; http:// or another host is refused and writes nothing", async () => {
  const { cookie } = await signIn({ tls: true, port: ports.proxyA, from: CLIENT }, { origin: originA() });
  const createToken = (origin: string, name: string) =>
    viaProxyA({ method: "POST", path: "/api/tokens", body: { name, scope: "read" } }, { cookie, origin });
  expect((await createToken(originA(), "tls same origin")).status).toBe(201);
  for (const [origin, name] of [
    [`http://localhost:${ports.proxyA}`, "tls plain http"],
    [`https://evil.example`, "tls other host"],
    [`https://localhost:${ports.appA}`, "tls other port"],
  ] as const) {
    const refused = await createToken(origin, name);
    expect(refused.status, origin).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: "forbidden" });
  }
  const names = await withDatabase(
    (sql) => sql<{ name: string }[]>`select name from api_tokens where name like 'tls %' order by name`,
  );
  expect(names.map((row) => row.name)).toEqual(["tls same origin"]);
});

test("X-Forwarded-For written by the client is ignored: the throttle counts the address the proxy saw", async () => {
  const wrong = (target: { tls: boolean; port: number; from: string }, headers: Record<string, string>) =>
    send(
      { ...target, method: "POST", path: "/api/session", body: { email: "nobody@example.test", password: "wrong" } },
      headers,
    );
  // Through the proxy, a client claims another address: the proxy appends the real one.
  const viaProxy = await wrong(
    { tls: true, port: ports.proxyA, from: CLIENT },
    { origin: originA(), "x-forwarded-for": "203.0.113.9" },
  );
  expect(viaProxy.status).toBe(401);
  // Straight to the app from a peer that is not a trusted proxy, claiming everything a proxy would.
  const direct = await wrong(
    { tls: false, port: ports.appA, from: STRANGER },
    { "x-forwarded-for": "198.51.100.7", "x-forwarded-proto": "https", "x-forwarded-host": "evil.example" },
  );
  expect(direct.status).toBe(401);
  const keys = (await withDatabase((sql) => sql<{ key: string }[]>`select key from login_throttle`)).map((r) => r.key);
  expect(keys.some((key) => key.includes(CLIENT))).toBe(true);
  expect(keys.some((key) => key.includes(STRANGER))).toBe(true);
  expect(keys.filter((key) => /203\.0\.113\.9|198\.51\.100\.7/.test(key))).toEqual([]);
});

test("without APP_ORIGIN, https is learnt from the trusted proxy only, never from a client's headers", async () => {
  // Instance B through its proxy: Secure cookie and HSTS.
  const proxied = await signIn(
    { tls: true, port: ports.proxyB, from: CLIENT },
    {
      origin: `https://localhost:${ports.proxyB}`,
    },
  );
  expect(setCookie(proxied.answer)).toMatch(/; Secure/);
  const page = await send({ tls: true, port: ports.proxyB, from: CLIENT, path: "/login" });
  expect(page.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  // Straight to B from an untrusted peer claiming https: plain http it is.
  const claims = { "x-forwarded-proto": "https", "x-forwarded-host": `localhost:${ports.proxyB}` };
  const direct = await signIn({ tls: false, port: ports.appB, from: STRANGER }, claims);
  expect(setCookie(direct.answer)).not.toMatch(/Secure/);
  const plain = await send({ tls: false, port: ports.appB, from: STRANGER, path: "/login" }, claims);
  expect(plain.headers["strict-transport-security"]).toBeUndefined();
  // And its cookie write claiming the proxy's https origin is refused: the forwarded host is not believed.
  const refused = await send(
    {
      tls: false,
      port: ports.appB,
      from: STRANGER,
      method: "POST",
      path: "/api/tokens",
      body: { name: "tls forged", scope: "read" },
    },
    { ...claims, cookie: direct.cookie, origin: `https://localhost:${ports.proxyB}` },
  );
  expect(refused.status).toBe(403);
});
