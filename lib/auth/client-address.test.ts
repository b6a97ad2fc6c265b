import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

const from = (forwardedFor?: string) =>
  clientAddress(new Headers(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }));

describe("clientAddress (the sign-in throttle's per-address key)", () => {
  it("takes the first X-Forwarded-For entry when it is an IPv4 or IPv6 address", () => {
    expect(from("203.0.113.7")).toBe("203.0.113.7");
    expect(from(" 203.0.113.7 , 10.0.0.1, 10.0.0.2")).toBe("203.0.113.7");
    expect(from("2001:DB8::1, 10.0.0.1")).toBe("2001:db8::1");
    expect(from("::ffff:192.0.2.128")).toBe("::ffff:192.0.2.128");
  });

  it("is 'unknown' without the header, or for anything that is not an address", () => {
    for (const value of [undefined, "", " , 10.0.0.1", "not-an-ip", "203.0.113.7:8080", "999.1.1.1", "<script>"]) {
      expect({ value, address: from(value) }).toEqual({ value, address: "unknown" });
    }
  });

  it("is 'unknown' for a value longer than any address (never stored as a key)", () => {
    expect(from("x".repeat(5000))).toBe("unknown");
    expect(from(`fe80::1%${"e".repeat(60)}`)).toBe("unknown");
  });
});
