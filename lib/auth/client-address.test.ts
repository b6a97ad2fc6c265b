import { describe, expect, it } from "vitest";
import { parseTrustedProxies } from "@/lib/trusted-proxies";
import { clientAddress, PEER_HEADER } from "./client-address";

const SECRET = "s3cret";

function from(peer: string | null, forwardedFor?: string, trusted = "0"): string {
  const headers = new Headers();
  if (peer !== null) headers.set(PEER_HEADER, `${SECRET} ${peer}`);
  if (forwardedFor !== undefined) headers.set("x-forwarded-for", forwardedFor);
  const proxies = parseTrustedProxies(trusted);
  if (!proxies) throw new Error(`bad TRUSTED_PROXIES ${trusted}`);
  return clientAddress(headers, { proxies, secret: SECRET });
}

describe("clientAddress (the sign-in throttle's per-address key)", () => {
  it("is the socket's peer, whatever X-Forwarded-For says, when no proxy is trusted", () => {
    expect(from("198.51.100.4")).toBe("198.51.100.4");
    expect(from("198.51.100.4", "203.0.113.7")).toBe("198.51.100.4");
    expect(from("::ffff:198.51.100.4", "203.0.113.7, 10.0.0.1")).toBe("198.51.100.4");
    expect(from("2001:DB8::1")).toBe("2001:db8::1");
  });

  it("is 'unknown' without a peer recorded by the app's server, or with a forged one", () => {
    expect(from(null, "203.0.113.7")).toBe("unknown");
    const forged = new Headers({ [PEER_HEADER]: "guess 203.0.113.7" });
    expect(clientAddress(forged, { proxies: { hops: 0 }, secret: SECRET })).toBe("unknown");
    expect(clientAddress(new Headers({ [PEER_HEADER]: " 203.0.113.7" }), { proxies: { hops: 0 }, secret: "" })).toBe(
      "unknown",
    );
  });

  it("believes exactly the configured number of hops, counted from the right", () => {
    // The client wrote "1.1.1.1"; the one proxy appended the address it saw (203.0.113.7).
    expect(from("10.0.0.2", "1.1.1.1, 203.0.113.7", "1")).toBe("203.0.113.7");
    expect(from("10.0.0.2", "1.1.1.1, 203.0.113.7, 10.0.0.1", "2")).toBe("203.0.113.7");
    expect(from("10.0.0.2", undefined, "1")).toBe("10.0.0.2");
  });

  it("skips trusted proxies (addresses and CIDR ranges) from the right", () => {
    const trusted = "10.0.0.0/8, 192.168.1.7, fd00::/8";
    expect(from("10.0.0.2", "1.1.1.1, 203.0.113.7, 192.168.1.7", trusted)).toBe("203.0.113.7");
    expect(from("198.51.100.9", "203.0.113.7", trusted)).toBe("198.51.100.9");
    expect(from("fd00::1", "2001:db8::5", trusted)).toBe("2001:db8::5");
    expect(from("10.0.0.2", "10.0.0.3", trusted)).toBe("10.0.0.3");
  });

  it("is 'unknown' when the address it lands on is not an IP address", () => {
    for (const value of ["not-an-ip", "203.0.113.7:8080", "999.1.1.1", "<script>", "x".repeat(5000)]) {
      expect({ value, address: from("10.0.0.2", value, "1") }).toEqual({ value, address: "unknown" });
    }
  });
});

describe("parseTrustedProxies", () => {
  it("takes a hop count or a list of addresses and ranges, and nothing else", () => {
    expect(parseTrustedProxies("1")).toEqual({ hops: 1 });
    expect(parseTrustedProxies("10.0.0.0/8,::1")).toEqual({
      ranges: [
        { address: "10.0.0.0", prefix: 8, family: 4 },
        { address: "::1", prefix: 128, family: 6 },
      ],
    });
    for (const bad of ["11", "-1", "yes", "10.0.0.0/33", "10.0.0.0/8/1", "example.com", "10.0.0.1,"]) {
      expect({ bad, parsed: parseTrustedProxies(bad) }).toEqual({ bad, parsed: null });
    }
  });
});
