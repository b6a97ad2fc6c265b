import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_DEMO_PASSWORD, demoPassword, isLocalDemo, isRefusedDefaultPassword } from "./demo-password";

const NAMES = ["DATABASE_URL", "HOST", "DEMO_PASSWORD"] as const;
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));

function setEnv(values: Partial<Record<(typeof NAMES)[number], string>>) {
  for (const name of NAMES) {
    const value = values[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

afterEach(() => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe("the demo password (issue 10, defect 2)", () => {
  it("is the well-known default only for the embedded demo on this machine", () => {
    for (const HOST of [undefined, "127.0.0.1", "localhost", "::1"]) {
      setEnv({ HOST });
      expect({ HOST, local: isLocalDemo(), seeded: demoPassword() }).toEqual({
        HOST,
        local: true,
        seeded: { password: DEFAULT_DEMO_PASSWORD, generated: false },
      });
      expect(isRefusedDefaultPassword(DEFAULT_DEMO_PASSWORD)).toBe(false);
    }
  });

  it("is random (printed once) and the default is refused when the app listens wider or uses PostgreSQL", () => {
    for (const settings of [{ HOST: "0.0.0.0" }, { DATABASE_URL: "postgres://db/tandem" }]) {
      setEnv(settings);
      const seeded = demoPassword();
      expect(seeded.generated).toBe(true);
      expect(seeded.password).not.toBe(DEFAULT_DEMO_PASSWORD);
      expect(seeded.password.length).toBeGreaterThanOrEqual(16);
      expect(isRefusedDefaultPassword(DEFAULT_DEMO_PASSWORD)).toBe(true);
      expect(isRefusedDefaultPassword("something else")).toBe(false);
    }
  });

  it("honours DEMO_PASSWORD set explicitly, even to the default", () => {
    setEnv({ HOST: "0.0.0.0", DEMO_PASSWORD: "hunter2" });
    expect(demoPassword()).toEqual({ password: "hunter2", generated: false });
    setEnv({ DATABASE_URL: "postgres://db/tandem", DEMO_PASSWORD: DEFAULT_DEMO_PASSWORD });
    expect(demoPassword()).toEqual({ password: DEFAULT_DEMO_PASSWORD, generated: false });
    expect(isRefusedDefaultPassword(DEFAULT_DEMO_PASSWORD)).toBe(false);
  });
});
