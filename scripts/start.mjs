// `npm start`: builds once when there is no build yet, then serves it (scripts/serve-app.mjs).
// PORT and HOST are honoured.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const next = "node_modules/next/dist/bin/next";
const env = { NEXT_TELEMETRY_DISABLED: "1", ...process.env };
if (!existsSync(".next/BUILD_ID")) {
  console.log("No build yet: building Tandem once (about a minute)…");
  const build = spawnSync(process.execPath, [next, "build"], { stdio: "inherit", env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const server = spawn(process.execPath, ["scripts/serve-app.mjs"], { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
