import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LeaseEventView, LeaseView, LockedError } from "@/lib/leases/lease-view";
import type { UserRef } from "@/lib/records/record-view";
import {
  INITIAL_LEASE_SNAPSHOT,
  type LeaseAnswer,
  type LeaseApi,
  type LeaseSnapshot,
  startLeaseSession,
} from "./lease-session";

const RECORD = "7d3c7c55-5c2c-4c1e-9a55-3b1f2f0e6a01";
const ALICE: UserRef = { id: "a", name: "Alice" };
const ADMIN: UserRef = { id: "z", name: "Admin" };
const TTL_MS = 120_000;
const POLL_MS = 5_000;

function leaseOf(holder: UserRef, acquiredAt = new Date()): LeaseView {
  const now = Date.now();
  return {
    recordId: RECORD,
    holder,
    acquiredAt: acquiredAt.toISOString(),
    renewedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + TTL_MS).toISOString(),
    expired: false,
    serverNow: new Date(now).toISOString(),
  };
}

function locked(lease: LeaseView | null, lostTo: LeaseEventView | null = null): LeaseAnswer {
  const error: LockedError = {
    code: "locked",
    message: "locked",
    holder: lease?.holder ?? null,
    acquiredAt: lease?.acquiredAt ?? null,
    renewedAt: lease?.renewedAt ?? null,
    expiresAt: lease?.expiresAt ?? null,
    expired: false,
    lostTo,
  };
  return { ok: false, error };
}

function takeoverBy(actor: UserRef, reason: string): LeaseEventView {
  return {
    id: "e1",
    recordId: RECORD,
    action: "takeover",
    actor,
    previousHolder: ALICE,
    reason,
    at: new Date().toISOString(),
  };
}

/**
 * A fake server: whoever `holder` is holds the lease; Alice is this browser tab. With
 * `otherTab`, Alice's lease is held by another tab of hers.
 */
function fakeServer() {
  const server = { lease: null as LeaseView | null, lostTo: null as LeaseEventView | null, otherTab: false };
  const acquire = vi.fn(async (renew: boolean): Promise<LeaseAnswer> => {
    const current = server.lease;
    if (current && (current.holder.id !== ALICE.id || server.otherTab)) return locked(current, server.lostTo);
    if (!current && renew) return locked(null, server.lostTo);
    server.lease = leaseOf(ALICE, current ? new Date(current.acquiredAt) : new Date());
    return { ok: true, lease: server.lease };
  });
  const api: LeaseApi = {
    acquire,
    takeOver: vi.fn(async () => {
      server.otherTab = false;
      server.lease = leaseOf(ALICE);
      return { ok: true as const, lease: server.lease };
    }),
    release: vi.fn(async () => {
      server.lease = null;
    }),
    releaseOnExit: vi.fn(() => {
      server.lease = null;
    }),
    read: vi.fn(async () => server.lease ?? { holder: null }),
  };
  return { server, api, acquire };
}

function run(api: LeaseApi) {
  let snapshot: LeaseSnapshot = INITIAL_LEASE_SNAPSHOT;
  const session = startLeaseSession(
    RECORD,
    api,
    (patch) => {
      snapshot = { ...snapshot, ...patch };
    },
    { pollMs: POLL_MS, watchOnly: false },
  );
  return { session, state: () => snapshot };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-03-02T10:02:00Z"));
});

afterEach(() => {
  vi.useRealTimers();
});

describe("a lease session", () => {
  it("acquires at once and renews a third of the way through the lease, by the server's clock", async () => {
    const { api, acquire } = fakeServer();
    const { session, state } = run(api);
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toMatchObject({ status: "held", lease: { holder: ALICE } });
    expect(acquire.mock.calls).toEqual([[false]]);

    await vi.advanceTimersByTimeAsync(TTL_MS / 3 - 1);
    expect(acquire.mock.calls).toEqual([[false]]);
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(acquire.mock.calls).toEqual([[false], [true]]);
    expect(state().status).toBe("held");
    session.stop();
  });

  it("tells the holder within one poll that an admin took over, with who and why", async () => {
    const { server, api } = fakeServer();
    const { session, state } = run(api);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1_000);

    server.lostTo = takeoverBy(ADMIN, "Contract must go out");
    server.lease = leaseOf(ADMIN);
    await vi.advanceTimersByTimeAsync(POLL_MS);

    expect(state()).toMatchObject({
      status: "lost",
      lease: { holder: ADMIN },
      lostTo: { actor: ADMIN, reason: "Contract must go out" },
    });
    session.stop();
    expect(api.release).not.toHaveBeenCalled();
  });

  it("does not blame an old take-over from before this lease was acquired", async () => {
    const { server, api } = fakeServer();
    server.lostTo = takeoverBy(ADMIN, "last week");
    await vi.advanceTimersByTimeAsync(60_000);
    const { session, state } = run(api);
    await vi.advanceTimersByTimeAsync(0);

    server.lease = leaseOf(ADMIN);
    await vi.advanceTimersByTimeAsync(POLL_MS);

    expect(state()).toMatchObject({ status: "lost", lostTo: null, lease: { holder: ADMIN } });
    session.stop();
  });

  it("takes its lease back quietly when it was released elsewhere and nobody took it", async () => {
    const { server, api, acquire } = fakeServer();
    const { session, state } = run(api);
    await vi.advanceTimersByTimeAsync(0);

    server.lease = null; // this user's other tab closed the record
    await vi.advanceTimersByTimeAsync(POLL_MS);

    expect(state().status).toBe("held");
    expect(acquire.mock.calls).toEqual([[false], [true], [false]]);
    session.stop();
  });

  it("watches while someone else holds it, and takes it once it is free", async () => {
    const { server, api } = fakeServer();
    server.lease = leaseOf(ADMIN);
    const { session, state } = run(api);
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toMatchObject({ status: "held_by_other", lease: { holder: ADMIN } });

    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(state().status).toBe("held_by_other");
    server.lease = null;
    await vi.advanceTimersByTimeAsync(POLL_MS);

    expect(state()).toMatchObject({ status: "held", lease: { holder: ALICE } });
    session.stop();
  });

  it("on a live lease event, the holder learns of a take-over at once, not at the next poll", async () => {
    const { server, api } = fakeServer();
    const { session, state } = run(api);
    await vi.advanceTimersByTimeAsync(0);

    server.lostTo = takeoverBy(ADMIN, "Urgent");
    server.lease = leaseOf(ADMIN);
    session.nudge();
    await vi.advanceTimersByTimeAsync(0);

    expect(state()).toMatchObject({ status: "lost", lostTo: { actor: ADMIN, reason: "Urgent" } });
    session.stop();
  });

  it("on a live lease event, a watcher takes the lease as soon as it is released", async () => {
    const { server, api } = fakeServer();
    server.lease = leaseOf(ADMIN);
    const { session, state } = run(api);
    await vi.advanceTimersByTimeAsync(0);
    expect(state().status).toBe("held_by_other");

    server.lease = null;
    session.nudge();
    await vi.advanceTimersByTimeAsync(0);

    expect(state()).toMatchObject({ status: "held", lease: { holder: ALICE } });
    session.stop();
  });

  it("ignores live lease events once the form has closed", async () => {
    const { api } = fakeServer();
    const { session } = run(api);
    await vi.advanceTimersByTimeAsync(0);
    session.stop();
    const reads = vi.mocked(api.read).mock.calls.length;
    session.nudge();
    await vi.advanceTimersByTimeAsync(POLL_MS * 2);
    expect(vi.mocked(api.read).mock.calls.length).toBe(reads);
    expect(vi.mocked(api.acquire).mock.calls).toEqual([[false]]);
  });

  it("notices when another tab of the same user takes the lease (a renewal it did not make), and can take it back", async () => {
    const { server, api } = fakeServer();
    const { session, state } = run(api);
    await vi.advanceTimersByTimeAsync(0);
    expect(state().status).toBe("held");

    await vi.advanceTimersByTimeAsync(1_000);
    server.otherTab = true;
    server.lease = leaseOf(ALICE, new Date(Date.parse(state().lease?.acquiredAt ?? "")));
    session.nudge();
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toMatchObject({ status: "lost", lostTo: null, lease: { holder: ALICE } });

    expect(await session.takeOver()).toBe(true);
    expect(state()).toMatchObject({ status: "held", lease: { holder: ALICE } });
    session.stop();
  });

  it("starts read-only while another tab of the same user holds the lease, and takes it once that tab lets go", async () => {
    const { server, api } = fakeServer();
    server.lease = leaseOf(ALICE);
    server.otherTab = true;
    const { session, state } = run(api);
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toMatchObject({ status: "held_by_other", lease: { holder: ALICE } });

    server.lease = null;
    server.otherTab = false;
    session.nudge();
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toMatchObject({ status: "held", lease: { holder: ALICE } });
    session.stop();
  });

  it("takes over on request", async () => {
    const { server, api } = fakeServer();
    server.lease = leaseOf(ADMIN);
    const { session, state } = run(api);
    await vi.advanceTimersByTimeAsync(0);

    const took = await session.takeOver("  ");

    expect(took).toBe(true);
    expect(api.takeOver).toHaveBeenCalledWith(undefined);
    expect(state()).toMatchObject({ status: "held", busy: false, lease: { holder: ALICE } });
    session.stop();
  });

  it("releases when the form closes, and gives back a lease whose answer came after that", async () => {
    const { server, api } = fakeServer();
    const first = run(api);
    await vi.advanceTimersByTimeAsync(0);
    first.session.stop();
    expect(api.release).toHaveBeenCalledTimes(1);
    expect(server.lease).toBeNull();

    const second = run(api);
    second.session.stop(); // closed before the acquisition answered
    await vi.advanceTimersByTimeAsync(0);
    expect(api.release).toHaveBeenCalledTimes(2);
    expect(server.lease).toBeNull();
  });

  it("releases with a keepalive request when the page goes away, and stops its heartbeat", async () => {
    const { server, api, acquire } = fakeServer();
    const { session } = run(api);
    await vi.advanceTimersByTimeAsync(0);

    session.suspend();
    expect(api.releaseOnExit).toHaveBeenCalledTimes(1);
    expect(server.lease).toBeNull();
    await vi.advanceTimersByTimeAsync(TTL_MS);
    expect(acquire).toHaveBeenCalledTimes(1);
    expect(api.read).not.toHaveBeenCalled();
    session.stop();
  });
});
