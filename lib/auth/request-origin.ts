import { BlockList, isIP } from "node:net";
import { env } from "@/lib/env";
import type { TrustedProxies } from "@/lib/trusted-proxies";
import { peerAddress } from "./client-address";

/**
 * What the app may believe about how a request reached it: its own origin (scheme, host,
 * port) and whether it came over https. X-Forwarded-Proto and X-Forwarded-Host are believed
 * only from a trusted proxy (TRUSTED_PROXIES: the socket's peer is one); `APP_ORIGIN`, when
 * set, is the app's public origin and wins. Without either, the app is served over plain
 * http (scripts/serve-app.mjs) at its Host header.
 */

type Headers_ = Pick<Headers, "get">;

function peerIsTrusted(headers: Headers_, proxies: TrustedProxies): boolean {
  if ("hops" in proxies) return proxies.hops > 0 && peerAddress(headers) !== null;
  const peer = peerAddress(headers);
  if (peer === null) return false;
  const list = new BlockList();
  for (const range of proxies.ranges) list.addSubnet(range.address, range.prefix, range.family === 4 ? "ipv4" : "ipv6");
  return list.check(peer, isIP(peer) === 4 ? "ipv4" : "ipv6");
}

/** The value the nearest proxy appended (the last of a comma-separated list). */
function lastValue(headers: Headers_, name: string): string | null {
  const value = headers.get(name);
  if (!value) return null;
  return value.split(",").at(-1)?.trim() || null;
}

/** Origins this request may legitimately come from: the app's own, and APP_ORIGIN. */
export function ownOrigins(headers: Headers_): string[] {
  const settings = env();
  const origins: string[] = [];
  if (settings.APP_ORIGIN) origins.push(settings.APP_ORIGIN);
  const trusted = peerIsTrusted(headers, settings.TRUSTED_PROXIES);
  const proto = trusted ? lastValue(headers, "x-forwarded-proto")?.toLowerCase() : null;
  const host = (trusted ? lastValue(headers, "x-forwarded-host") : null) ?? headers.get("host");
  const scheme = proto === "https" || proto === "http" ? proto : "http";
  if (host && URL.canParse(`${scheme}://${host}`)) origins.push(new URL(`${scheme}://${host}`).origin);
  return origins;
}

/** Whether an `Origin` header names one of the app's own origins (scheme, host and port compared). */
export function isOwnOrigin(origin: string, headers: Headers_): boolean {
  if (!URL.canParse(origin)) return false;
  const parsed = new URL(origin);
  if (parsed.origin === "null") return false;
  return ownOrigins(headers).includes(parsed.origin);
}

/**
 * Whether the request came over https, from facts a client cannot set: APP_ORIGIN is https,
 * or a trusted proxy says so. (Decides the session cookie's Secure flag and HSTS.)
 */
export function isHttps(headers: Headers_): boolean {
  const settings = env();
  if (settings.APP_ORIGIN?.startsWith("https:")) return true;
  return (
    peerIsTrusted(headers, settings.TRUSTED_PROXIES) &&
    lastValue(headers, "x-forwarded-proto")?.toLowerCase() === "https"
  );
}
