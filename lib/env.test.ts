import { afterEach, describe, expect, it } from "vitest";
import { EnvError, env, leaseTtlSeconds, parseEnv } from "./env";

afterEach(() => {
  delete process.env.LEASE_TTL_SECONDS;
});

function problemsOf(source: Record<string, string>): Record<string, string> {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  throw new Error("expected an EnvError");
}

describe("parseEnv", () => {
  it("gives every variable its default when unset", () => {
    expect(parseEnv({})).toEqual({
      DATABASE_URL: undefined,
      DATABASE_POOL_MAX: 10,
      PGLITE_DIR: undefined,
      APP_ORIGIN: undefined,
      HOST: undefined,
      TRUSTED_PROXIES: { hops: 0 },
      SESSION_DAYS: 7,
      SESSION_IDLE_MINUTES: 720,
      LOGIN_MAX_FAILURES: 10,
      LOGIN_MAX_ACCOUNT_FAILURES: 100,
      MAX_STREAMS_PER_USER: 20,
      LEASE_TTL_SECONDS: 120,
      DEMO_PASSWORD: undefined,
    });
  });

  it("treats empty strings as unset", () => {
    const blank = Object.fromEntries(
      [
        "DATABASE_URL",
        "DATABASE_POOL_MAX",
        "PGLITE_DIR",
        "APP_ORIGIN",
        "HOST",
        "TRUSTED_PROXIES",
        "SESSION_DAYS",
        "SESSION_IDLE_MINUTES",
        "LOGIN_MAX_FAILURES",
        "LOGIN_MAX_ACCOUNT_FAILURES",
        "MAX_STREAMS_PER_USER",
        "LEASE_TTL_SECONDS",
        "DEMO_PASSWORD",
      ].map((name) => [name, name === "SESSION_DAYS" ? "  " : ""]),
    );
    expect(parseEnv(blank)).toEqual(parseEnv({}));
  });

  it("reads valid values", () => {
    expect(
      parseEnv({
        DATABASE_URL: "postgres://tandem:secret@db:5432/tandem",
        DATABASE_POOL_MAX: "25",
        PGLITE_DIR: "/var/lib/tandem",
        APP_ORIGIN: "https://tandem.example.com",
        HOST: "0.0.0.0",
        TRUSTED_PROXIES: "10.0.0.0/8",
        SESSION_DAYS: "0.5",
        SESSION_IDLE_MINUTES: "30",
        LOGIN_MAX_FAILURES: " 3 ",
        LOGIN_MAX_ACCOUNT_FAILURES: "50",
        MAX_STREAMS_PER_USER: "5",
        LEASE_TTL_SECONDS: "30",
        DEMO_PASSWORD: "hunter2",
      }),
    ).toEqual({
      DATABASE_URL: "postgres://tandem:secret@db:5432/tandem",
      DATABASE_POOL_MAX: 25,
      PGLITE_DIR: "/var/lib/tandem",
      APP_ORIGIN: "https://tandem.example.com",
      HOST: "0.0.0.0",
      TRUSTED_PROXIES: { ranges: [{ address: "10.0.0.0", prefix: 8, family: 4 }] },
      SESSION_DAYS: 0.5,
      SESSION_IDLE_MINUTES: 30,
      LOGIN_MAX_FAILURES: 3,
      LOGIN_MAX_ACCOUNT_FAILURES: 50,
      MAX_STREAMS_PER_USER: 5,
      LEASE_TTL_SECONDS: 30,
      DEMO_PASSWORD: "hunter2",
    });
  });

  it("refuses bad values, naming every variable at fault and what it must be", () => {
    const problems = problemsOf({
      SESSION_DAYS: "seven",
      SESSION_IDLE_MINUTES: "0",
      LOGIN_MAX_FAILURES: "2.5",
      DATABASE_POOL_MAX: "0",
      LEASE_TTL_SECONDS: "-5",
      APP_ORIGIN: "https://tandem.example.com/",
      DATABASE_URL: "mysql://root:secret@db/tandem",
      TRUSTED_PROXIES: "everyone",
      HOST: "my host",
    });
    expect(Object.keys(problems).sort()).toEqual([
      "APP_ORIGIN",
      "DATABASE_POOL_MAX",
      "DATABASE_URL",
      "HOST",
      "LEASE_TTL_SECONDS",
      "LOGIN_MAX_FAILURES",
      "SESSION_DAYS",
      "SESSION_IDLE_MINUTES",
      "TRUSTED_PROXIES",
    ]);
    expect(problems.SESSION_DAYS).toContain('got "seven"');
    expect(problems.LOGIN_MAX_FAILURES).toContain("whole number");
    // The URL's password never reaches the message.
    expect(problems.DATABASE_URL).not.toContain("secret");
    expect(() => parseEnv({ SESSION_DAYS: "Infinity" })).toThrow(/SESSION_DAYS/);
    expect(() => parseEnv({ DATABASE_POOL_MAX: "0x10" })).toThrow(/DATABASE_POOL_MAX/);
  });
});

describe("env() and leaseTtlSeconds()", () => {
  it("read process.env at every call, through the same schema", () => {
    expect(leaseTtlSeconds()).toBe(120);
    process.env.LEASE_TTL_SECONDS = "1";
    expect(leaseTtlSeconds()).toBe(1);
    expect(env().LEASE_TTL_SECONDS).toBe(1);
    process.env.LEASE_TTL_SECONDS = "";
    expect(leaseTtlSeconds()).toBe(120);
    process.env.LEASE_TTL_SECONDS = "soon";
    expect(() => leaseTtlSeconds()).toThrow(EnvError);
  });
});
