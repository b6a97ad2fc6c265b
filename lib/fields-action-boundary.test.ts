import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

describe("a validation error crosses a server action to the form", () => {
  it("is encoded by React's server-action protocol, `__proto__` key included (no 'server could not be reached')", () => {
    const raw = execFileSync(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", "tests/support/flight-encode.ts"],
      { cwd: root, env: { ...process.env, NODE_ENV: "production" }, encoding: "utf8" },
    );
    const { output, errors } = JSON.parse(raw) as { output: string; errors: string[] };
    expect(errors).toEqual([]);
    const line = output.split("\n").find((l) => l.startsWith("0:"));
    expect(JSON.parse(line?.slice(2) ?? "null")).toEqual({
      ok: false,
      error: { code: "invalid", fields: { ["__proto__"]: "Unknown field", title: "Title is required" } },
    });
  }, 30_000);
});
