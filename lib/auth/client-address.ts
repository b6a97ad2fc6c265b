import { BlockList, isIP } from "node:net";
import { env } from "@/lib/env";
import type { TrustedProxies } from "@/lib/trusted-proxies";

/** What the sign-in throttle counts a request under when its address is unknown or not an IP. */
export const UNKNOWN_ADDRESS = "unknown";

/**
 * The header through which the app's own server entry (scripts/serve-app.mjs) hands the
 * socket's peer address to route handlers (a Web `Request` has no socket). Its value is
 * `<secret> <address>`: the server overwrites whatever a client sent under this name, and the
 * secret (random per process, in TANDEM_PEER_SECRET) makes the header worthless to forge when
 * the app is served some other way (`next start`, `next dev`): then no peer is known.
 */
export const PEER_HEADER = "x-tandem-peer";

/** A plain IPv4/IPv6 address (at most 45 characters), lower case, IPv4-mapped IPv6 unwrapped; else null. */
function normalize(value: string | undefined): string | null {
  const text = value?.trim() ?? "";
  if (text.length > 45 || isIP(text) === 0) return null;
  const lower = text.toLowerCase();
  const mapped = lower.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
  return mapped?.[1] ?? lower;
}

/** The socket peer's address, as the app's server entry recorded it; null when unknown. */
export function peerAddress(headers: Pick<Headers, "get">, secret = process.env.TANDEM_PEER_SECRET): string | null {
  if (!secret) return null;
  const value = headers.get(PEER_HEADER);
  if (!value) return null;
  const space = value.indexOf(" ");
  if (space < 0 || value.slice(0, space) !== secret) return null;
  return normalize(value.slice(space + 1));
}

function trusts(proxies: TrustedProxies): (address: string) => boolean {
  if ("hops" in proxies) return () => false;
  const list = new BlockList();
  for (const range of proxies.ranges) {
    list.addSubnet(range.address, range.prefix, range.family === 4 ? "ipv4" : "ipv6");
  }
  return (address) => list.check(address, isIP(address) === 4 ? "ipv4" : "ipv6");
}

/**
 * The client's address, for the sign-in throttle. The socket's peer is the client, unless
 * TRUSTED_PROXIES says the peer is a proxy: then X-Forwarded-For is read from the right (the
 * end a proxy appends to; the left end is whatever the client wrote), skipping the given number
 * of hops, or every entry that is itself a trusted proxy. Anything that is not a plain IP
 * address counts as "unknown": a client must not make up a fresh throttle key per request.
 */
export function clientAddress(
  headers: Pick<Headers, "get">,
  options: { proxies?: TrustedProxies; secret?: string } = {},
): string {
  const proxies = options.proxies ?? env().TRUSTED_PROXIES;
  const peer = peerAddress(headers, options.secret ?? process.env.TANDEM_PEER_SECRET);
  if (peer === null) return UNKNOWN_ADDRESS;
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  // The chain of addresses, nearest last: what the proxies said, then the socket's peer.
  const chain = [...forwarded, peer];
  if ("hops" in proxies) {
    const picked = chain[Math.max(0, chain.length - 1 - proxies.hops)];
    return normalize(picked) ?? UNKNOWN_ADDRESS;
  }
  const trusted = trusts(proxies);
  for (let i = chain.length - 1; i >= 0; i--) {
    const address = normalize(chain[i]);
    if (address === null) return UNKNOWN_ADDRESS;
    if (i === 0 || !trusted(address)) return address;
  }
  return UNKNOWN_ADDRESS;
}
