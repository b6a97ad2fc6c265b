// `npm test`: lint, types, unit + integration (vitest, real PostgreSQL), build, browser tests
// (Playwright). Runs every stage, then prints the totals over all runners as the last line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

const totals = { passed: 0, failed: 0 };
const lines = [];

function run(label, command, args, env = {}) {
  console.log(`\n━━ ${label}: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return result.status === 0;
}

function check(label, command, args) {
  const ok = run(label, command, args);
  if (!ok) totals.failed += 1;
  lines.push(`${label}: ${ok ? "clean" : "FAILED"}`);
  return ok;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

mkdirSync("test-results", { recursive: true });
check("lint", "npx", ["biome", "check", "."]);
check("types", "npx", ["tsc", "--noEmit"]);

rmSync("test-results/vitest.json", { force: true });
const vitestOk = run("unit + integration", "npx", [
  "vitest",
  "run",
  "--reporter=default",
  "--reporter=json",
  "--outputFile.json=test-results/vitest.json",
]);
const vitest = readJson("test-results/vitest.json");
if (vitest) {
  totals.passed += vitest.numPassedTests;
  totals.failed += vitest.numFailedTests + (vitestOk || vitest.numFailedTests > 0 ? 0 : 1);
  lines.push(`vitest: ${vitest.numPassedTests} passed, ${vitest.numFailedTests} failed`);
} else {
  totals.failed += 1;
  lines.push("vitest: did not report");
}

const built = check("build", "npx", ["next", "build"]);
if (built) {
  rmSync("test-results/e2e.json", { force: true });
  const e2eOk = run("browser", "npx", ["playwright", "test", "--reporter=list,json"], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: "test-results/e2e.json",
  });
  const e2e = existsSync("test-results/e2e.json") ? readJson("test-results/e2e.json") : null;
  if (e2e?.stats) {
    const failed = e2e.stats.unexpected + e2e.stats.flaky;
    totals.passed += e2e.stats.expected;
    totals.failed += failed + (e2eOk || failed > 0 ? 0 : 1);
    lines.push(`playwright: ${e2e.stats.expected} passed, ${failed} failed`);
  } else {
    totals.failed += 1;
    lines.push("playwright: did not report");
  }
} else {
  lines.push("playwright: not run (build failed)");
}

console.log(`\n━━ summary\n${lines.map((l) => `  ${l}`).join("\n")}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
