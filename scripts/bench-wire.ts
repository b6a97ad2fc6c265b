import net from "node:net";
import { freePort } from "../tests/support/postgres-server";

/**
 * A loopback TCP proxy in front of PostgreSQL that reads the frontend protocol and counts what
 * each save costs on the wire: statements executed, statements parsed (a prepared statement is
 * parsed once per connection, an unnamed one every time) and round trips (each Sync, Flush or
 * simple Query is a point where the client waits for the server). It is for counting only: it
 * sits in the load generator's process, so nothing is timed through it.
 */

export type WireCounts = { statements: number; parses: number; roundTrips: number };

export type WireCounter = {
  /** The same database URL, through the proxy. */
  url: string;
  counts: () => WireCounts;
  close: () => Promise<void>;
};

/** Follows one client's message stream; the startup packet (and an SSL request) carry no type byte. */
function frontendParser(counts: WireCounts): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let started = false;
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    for (let guard = 0; guard < 1_000_000; guard++) {
      if (!started) {
        if (pending.length - offset < 8) break;
        const length = pending.readInt32BE(offset);
        if (pending.length - offset < length) break;
        const code = pending.readInt32BE(offset + 4);
        offset += length;
        if (code !== 80877103) started = true; // 80877103: SSLRequest, answered before the startup packet
        continue;
      }
      if (pending.length - offset < 5) break;
      const type = String.fromCharCode(pending[offset] ?? 0);
      const length = pending.readInt32BE(offset + 1);
      if (pending.length - offset < 1 + length) break;
      offset += 1 + length;
      if (type === "E" || type === "Q") counts.statements++;
      if (type === "P" || type === "Q") counts.parses++;
      if (type === "S" || type === "H" || type === "Q") counts.roundTrips++;
    }
    pending = pending.subarray(offset);
  };
}

export async function startWireCounter(databaseUrl: string): Promise<WireCounter> {
  const target = new URL(databaseUrl);
  const counts: WireCounts = { statements: 0, parses: 0, roundTrips: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    }
    const parse = frontendParser(counts);
    client.on("data", (chunk: Buffer) => {
      parse(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    counts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
