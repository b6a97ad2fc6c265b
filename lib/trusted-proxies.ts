import { isIP } from "node:net";

/**
 * `TRUSTED_PROXIES`, parsed: how many proxy hops to believe, or which proxies (addresses and
 * CIDR ranges). Kept as plain data so the validated environment stays a plain object.
 */
export type TrustedProxies = { hops: number } | { ranges: { address: string; prefix: number; family: 4 | 6 }[] };

/** Parses "2" or "10.0.0.0/8, 192.168.1.7, fd00::/8"; null when any part is not one of those. */
export function parseTrustedProxies(value: string): TrustedProxies | null {
  const text = value.trim();
  if (/^\d{1,2}$/.test(text)) {
    const hops = Number(text);
    return hops <= 10 ? { hops } : null;
  }
  const ranges: { address: string; prefix: number; family: 4 | 6 }[] = [];
  for (const part of text.split(",")) {
    const [address = "", prefixText, ...rest] = part.trim().split("/");
    const family = isIP(address);
    if (rest.length > 0 || (family !== 4 && family !== 6)) return null;
    const max = family === 4 ? 32 : 128;
    if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (prefix > max) return null;
    ranges.push({ address: address.toLowerCase(), prefix, family });
  }
  return ranges.length > 0 ? { ranges } : null;
}
