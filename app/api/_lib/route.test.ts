import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_BODY_BYTES, readCookie, readJson, readQuery } from "./route";

const schema = z.strictObject({ name: z.string() });

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request("http://localhost:3000/api/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

/** A body that arrives in chunks, with no Content-Length (as a chunked upload does). */
function streamed(chunks: number, chunkBytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent += 1;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
    },
  });
}

async function errorOf(response: Response) {
  return { status: response.status, body: await response.json() };
}

describe("readJson", () => {
  it("reads and validates a JSON body", async () => {
    expect(await readJson(post('{"name":"Ada"}'), schema)).toEqual({ ok: true, value: { name: "Ada" } });
  });

  it("answers 413 too_large for a body over 1 MiB, by its Content-Length, before reading it", async () => {
    const result = await readJson(post('{"name":"Ada"}', { "content-length": String(MAX_BODY_BYTES + 1) }), schema);
    if (result.ok) throw new Error("expected a refusal");
    expect(await errorOf(result.response)).toMatchObject({ status: 413, body: { error: "too_large" } });
  });

  it("answers 413 too_large for a body over 1 MiB without Content-Length, while reading it", async () => {
    const big = `{"name":"${"x".repeat(MAX_BODY_BYTES)}"}`;
    const whole = await readJson(post(big), schema);
    const chunked = await readJson(post(streamed(20, 64 * 1024)), schema);
    for (const result of [whole, chunked]) {
      if (result.ok) throw new Error("expected a refusal");
      expect(await errorOf(result.response)).toMatchObject({ status: 413, body: { error: "too_large" } });
    }
  });

  it("accepts a body of exactly 1 MiB", async () => {
    const exact = `{"name":"${"x".repeat(MAX_BODY_BYTES - 11)}"}`;
    expect(new TextEncoder().encode(exact).byteLength).toBe(MAX_BODY_BYTES);
    expect((await readJson(post(exact), schema)).ok).toBe(true);
  });

  it("decodes UTF-8 split across chunks", async () => {
    const bytes = new TextEncoder().encode('{"name":"Zoë 😀"}');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    expect(await readJson(post(stream), schema)).toEqual({ ok: true, value: { name: "Zoë 😀" } });
  });

  it("answers 400 for a missing or malformed body, unless a blank body is allowed to stand for a value", async () => {
    for (const body of [null, "", "{name"]) {
      const result = await readJson(post(body), schema);
      if (result.ok) throw new Error("expected a refusal");
      expect((await errorOf(result.response)).body.error).toBe("malformed_json");
    }
    const optional = z.strictObject({ reason: z.string().optional() });
    expect(await readJson(post(null), optional, { whenEmpty: {} })).toEqual({ ok: true, value: {} });
    expect(await readJson(post("  \n"), optional, { whenEmpty: {} })).toEqual({ ok: true, value: {} });
    expect(await readJson(post('{"reason":"x"}'), optional, { whenEmpty: {} })).toEqual({
      ok: true,
      value: { reason: "x" },
    });
  });
});

describe("readQuery", () => {
  const query = z.strictObject({ limit: z.coerce.number().int().min(1).optional() });
  const get = (search: string) => new Request(`http://localhost:3000/api/x${search}`);

  it("reads and validates the query string", () => {
    expect(readQuery(get("?limit=5"), query)).toEqual({ ok: true, value: { limit: 5 } });
    expect(readQuery(get(""), query)).toEqual({ ok: true, value: {} });
  });

  it("answers 400 bad_query naming every problem, including a parameter given twice", async () => {
    const bad = readQuery(get("?limit=0&page=2"), query);
    const twice = readQuery(get("?limit=5&limit=6"), query);
    if (bad.ok || twice.ok) throw new Error("expected refusals");
    const badBody = await errorOf(bad.response);
    expect(badBody).toMatchObject({ status: 400, body: { error: "bad_query" } });
    expect(badBody.body.message).toMatch(/limit: .*; query: .*page/);
    expect(await errorOf(twice.response)).toMatchObject({
      status: 400,
      body: { error: "bad_query", message: "limit: given more than once" },
    });
  });
});

describe("readCookie", () => {
  const withCookie = (cookie: string) => new Request("http://localhost:3000/", { headers: { cookie } });

  it("reads and decodes a cookie", () => {
    expect(readCookie(withCookie("a=1; tandem_session=abc%2Fdef"), "tandem_session")).toBe("abc/def");
    expect(readCookie(withCookie("a=1"), "tandem_session")).toBeNull();
  });

  it("treats a cookie that is not validly percent-encoded as absent instead of throwing", () => {
    expect(readCookie(withCookie("tandem_session=%E0"), "tandem_session")).toBeNull();
    expect(readCookie(withCookie("tandem_session=%"), "tandem_session")).toBeNull();
  });
});
