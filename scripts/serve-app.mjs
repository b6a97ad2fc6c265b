// The app's HTTP server: Next.js's request handler behind a plain Node server, so that route
// handlers can know the socket's peer address (a Web Request has none). `npm start` and the
// browser tests' server run this; `next start` would serve the same app without knowing peers
// (the sign-in throttle then counts every client as "unknown").
//
//   node scripts/serve-app.mjs            PORT (default 3000), HOST (see below)
//
// HOST unset: 127.0.0.1 for the embedded demo (no DATABASE_URL), every interface otherwise;
// lib/demo-password.ts applies the same rule to decide whether the demo password is acceptable.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";

const PEER_HEADER = "x-tandem-peer";
const UNSUPPORTED_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);

export async function serveApp({ port = Number(process.env.PORT ?? 3000), host = listenHost() } = {}) {
  // A secret per process: route handlers believe PEER_HEADER only with it (lib/auth/client-address.ts).
  process.env.TANDEM_PEER_SECRET ||= randomBytes(18).toString("base64url");
  const secret = process.env.TANDEM_PEER_SECRET;
  process.env.NODE_ENV = "production";
  const { default: next } = await import("next");
  const app = next({ dev: false, hostname: host ?? "localhost", port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((request, response) => {
    // Methods a Web Request cannot carry: Next would answer them with a bare 500.
    if (UNSUPPORTED_METHODS.has(request.method ?? "")) {
      response.writeHead(405, {
        "content-type": "application/json",
        allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
      });
      response.end(
        JSON.stringify({ error: "method_not_allowed", message: `${request.method} is not supported here.` }),
      );
      return;
    }
    // Overwrites whatever the client sent under this name.
    request.headers[PEER_HEADER] = `${secret} ${request.socket.remoteAddress ?? ""}`;
    handle(request, response).catch((error) => {
      console.error("[server] request failed:", error);
      if (!response.headersSent) {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: "internal", message: "Something went wrong on our side." }));
      } else response.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(undefined));
  });
  console.log(`  Listening on ${host ?? "every interface"}, port ${port}`);
  return server;
}

function listenHost() {
  const host = process.env.HOST?.trim();
  if (host) return host;
  return process.env.DATABASE_URL?.trim() ? undefined : "127.0.0.1";
}

/** The server, or a plain word and exit 1 when the port is taken (never a stack trace). */
async function serveOrExplain() {
  try {
    return await serveApp();
  } catch (error) {
    if (error?.code !== "EADDRINUSE" && error?.code !== "EACCES") throw error;
    const port = process.env.PORT ?? 3000;
    console.error(
      error.code === "EADDRINUSE"
        ? `\n  Port ${port} is already in use: stop the other server, or start on another port (PORT=3001 npm start).`
        : `\n  Port ${port} may not be opened by this user: choose another (PORT=3001 npm start).`,
    );
    process.exit(1);
  }
}

/**
 * When started with an IPC channel (the soak script), answers `{type: "memory"}` with this
 * process's memory after a full collection when `--expose-gc` allows one (unless `gc: false`):
 * the heap that is really retained, not garbage not yet collected. Nothing listens on the
 * network for this.
 */
function answerMemoryProbes() {
  if (!process.send) return;
  process.on("message", (message) => {
    if (message?.type !== "memory") return;
    if (message.gc !== false) globalThis.gc?.();
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    process.send?.({ type: "memory", id: message.id, rss, heapUsed, heapTotal, external, arrayBuffers });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await serveOrExplain();
  answerMemoryProbes();
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      server.close();
      process.exit(0);
    });
  }
}
