import { describe, expect, it } from "vitest";
import { FAILURE_MESSAGES } from "@/lib/errors";
import { ActionError, callAction, mutateAction } from "./call-action";

type Answer =
  | { ok: true; id: string }
  | { ok: false; error: { code: "invalid"; fields: Record<string, string> } }
  | { ok: false; error: { code: "unavailable"; message: string } }
  | { ok: false; error: { code: "not_found" } };

const answering = (answer: Answer) => async (_input: { id: string }) => answer;

describe("callAction: one client path for every server action", () => {
  it("passes a success through as it is", async () => {
    expect(await callAction(answering({ ok: true, id: "r1" }), { id: "r1" })).toEqual({ ok: true, id: "r1" });
  });

  it("no answer at all (the fetch throws) is 'unreachable', with the one message, and retryable", async () => {
    const outcome = await callAction(
      async (_: { id: string }): Promise<Answer> => {
        throw new TypeError("Failed to fetch");
      },
      { id: "r1" },
    );
    expect(outcome).toEqual({
      ok: false,
      error: { code: "unreachable", message: FAILURE_MESSAGES.unreachable },
      message: FAILURE_MESSAGES.unreachable,
      retryable: true,
    });
  });

  it("a validation failure names every field's problem and is not retried", async () => {
    const outcome = await callAction(
      answering({ ok: false, error: { code: "invalid", fields: { title: "Title is required", seats: "Too many" } } }),
      { id: "r1" },
    );
    expect(outcome).toMatchObject({ ok: false, message: "Title is required Too many", retryable: false });
  });

  it("unavailable keeps the server's message and may be retried; a bare code gets the vocabulary's words", async () => {
    const busy = await callAction(answering({ ok: false, error: { code: "unavailable", message: "Busy." } }), {
      id: "",
    });
    expect(busy).toMatchObject({ message: "Busy.", retryable: true });
    const gone = await callAction(answering({ ok: false, error: { code: "not_found" } }), { id: "" });
    expect(gone).toMatchObject({ message: FAILURE_MESSAGES.not_found, retryable: false });
  });

  it("mutateAction throws the typed failure for useMutation", async () => {
    const failing = mutateAction(answering({ ok: false, error: { code: "not_found" } }), { id: "" });
    await expect(failing).rejects.toBeInstanceOf(ActionError);
    await expect(failing).rejects.toMatchObject({ failed: { error: { code: "not_found" } } });
  });
});
