/**
 * Encodes a value the way a server action's answer is sent to the browser (React's Flight
 * protocol, run under the `react-server` condition) and prints `{output, errors}` as JSON.
 * Run by `lib/fields-action-boundary.test.ts` in a child process:
 * `node --conditions=react-server --import tsx tests/support/flight-encode.ts <case>`.
 */
import { createRequire } from "node:module";
import { PassThrough } from "node:stream";
import { type FieldDefinition, validateRecord } from "../../lib/fields";

const require = createRequire(import.meta.url);
const { renderToPipeableStream } = require("next/dist/compiled/react-server-dom-webpack/server.node.js") as {
  renderToPipeableStream: (
    value: unknown,
    manifest: object,
    options: { onError: (error: Error) => void },
  ) => {
    pipe: (stream: PassThrough) => void;
  };
};

const fields: FieldDefinition[] = [{ key: "title", label: "Title", type: "text", required: true }];
const input = JSON.parse('{"title":"","__proto__":{"polluted":true}}');
const result = validateRecord(fields, input);
const answer = result.ok ? result : { ok: false, error: { code: "invalid", fields: result.fields } };

const errors: string[] = [];
const stream = new PassThrough();
let output = "";
stream.on("data", (chunk) => {
  output += String(chunk);
});
stream.on("end", () => process.stdout.write(JSON.stringify({ output, errors })));
renderToPipeableStream(answer, {}, { onError: (error) => void errors.push(error.message) }).pipe(stream);
