"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { fetchNotifications, markRead, patchRecord } from "@/components/history-api";
import { RelativeTime } from "@/components/relative-time";
import type { NotificationView } from "@/lib/notifications";
import { queryKeys } from "@/lib/query-keys";

type Values = Record<string, { mine: unknown; theirs: unknown }>;

const KIND_WORDS: Record<NotificationView["kind"], string> = {
  overwritten: "Your values were replaced",
  restored: "Restored to an older version",
  lease_taken: "Your edit lock was taken",
  mention: "You were mentioned",
};

function shown(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return String(value);
}

/** The list refreshes when the bell hears of a change (live), and every 30 s as a fallback. */
export function NotificationsList({
  initial,
  canEdit,
}: {
  initial: { items: NotificationView[]; unread: number };
  canEdit: boolean;
}) {
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: queryKeys.notifications(),
    queryFn: fetchNotifications,
    initialData: initial,
    refetchInterval: 30_000,
  });
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.notifications() });
  const read = async (which: { ids: string[] } | { all: true }) => {
    const answer = await markRead(which);
    if (!answer.ok) setError(answer.body.message);
    await refresh();
  };
  const items = list.data.items;
  return (
    <>
      <div className="row">
        <span className="muted">{list.data.unread === 0 ? "Nothing unread." : `${list.data.unread} unread`}</span>
        <span className="spacer" />
        <button type="button" onClick={() => void read({ all: true })} disabled={list.data.unread === 0}>
          Mark all read
        </button>
      </div>
      {error ? (
        <p className="notice error" role="alert">
          {error}
        </p>
      ) : null}
      {items.length === 0 ? <p className="muted">No notifications yet.</p> : null}
      <ul className="feed" aria-label="Notifications">
        {items.map((item) => (
          <NotificationEntry
            key={item.id}
            item={item}
            canEdit={canEdit}
            onRead={() => void read({ ids: [item.id] })}
            onChanged={() => void refresh()}
          />
        ))}
      </ul>
    </>
  );
}

function NotificationEntry({
  item,
  canEdit,
  onRead,
  onChanged,
}: {
  item: NotificationView;
  canEdit: boolean;
  onRead: () => void;
  onChanged: () => void;
}) {
  const values = (item.details.values ?? {}) as Values;
  const version = typeof item.details.version === "number" ? item.details.version : null;
  const labels = (item.details.labels ?? {}) as Record<string, string>;
  return (
    <li className={item.read ? "" : "unread"} data-testid="notification">
      <div className="row small">
        <strong>{KIND_WORDS[item.kind]}</strong>
        <span className="muted">
          <RelativeTime iso={item.at} />
        </span>
        {item.read ? <span className="chip">read</span> : <span className="chip conflict">unread</span>}
        <span className="spacer" />
        {item.read ? null : (
          <button type="button" className="link small" onClick={onRead}>
            Mark read
          </button>
        )}
      </div>
      <p style={{ margin: "0.35rem 0" }}>
        {item.message}
        {item.recordId ? (
          <>
            {" — "}
            <Link href={`/records/${item.recordId}`}>{item.recordTitle ?? "the record"}</Link>
          </>
        ) : null}
      </p>
      {item.kind === "overwritten" && Object.keys(values).length > 0 ? (
        <>
          <table className="small compare-table" aria-label="Yours and theirs">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Yours</th>
                <th scope="col">Theirs (version {version ?? "?"})</th>
              </tr>
            </thead>
            <tbody>
              {item.fields.map((key) => (
                <tr key={key}>
                  <th scope="row">{labels[key] ?? key}</th>
                  <td className="value-text">{shown(values[key]?.mine)}</td>
                  <td className="value-text">{shown(values[key]?.theirs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {canEdit && item.recordId && version !== null ? (
            <RestoreMine recordId={item.recordId} version={version} values={values} onDone={onChanged} />
          ) : null}
        </>
      ) : null}
    </li>
  );
}

/**
 * "Restore mine": a checked write like any other — a PATCH of my fields against the version
 * the notification shows. If the record moved again since, nothing is written and the person
 * is sent to the record to decide with the full picture.
 */
function RestoreMine({
  recordId,
  version,
  values,
  onDone,
}: {
  recordId: string;
  version: number;
  values: Values;
  onDone: () => void;
}) {
  const [state, setState] = useState<
    | { kind: "idle" }
    | { kind: "busy" }
    | { kind: "done"; version: number }
    | { kind: "moved" }
    | { kind: "failed"; message: string }
  >({ kind: "idle" });
  const restore = async () => {
    setState({ kind: "busy" });
    const data = Object.fromEntries(Object.entries(values).map(([key, v]) => [key, v.mine ?? null]));
    const answer = await patchRecord(recordId, version, data);
    if (answer.ok) {
      setState({ kind: "done", version: answer.body.version });
      onDone();
    } else if (answer.status === 412) setState({ kind: "moved" });
    else setState({ kind: "failed", message: answer.body.message });
  };
  return (
    <div className="row" style={{ marginTop: "0.5rem" }}>
      <button type="button" className="primary" onClick={() => void restore()} disabled={state.kind === "busy"}>
        Restore mine
      </button>
      <span role="status" className="small">
        {state.kind === "done" ? `Restored: your values are back (version ${state.version}).` : null}
        {state.kind === "moved" ? (
          <>
            The record changed again since version {version}; nothing was written.{" "}
            <Link href={`/records/${recordId}`}>Open the record to decide</Link>
          </>
        ) : null}
        {state.kind === "failed" ? state.message : null}
      </span>
    </div>
  );
}
