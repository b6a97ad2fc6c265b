"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { callAction } from "@/components/call-action";
import type { RowPresence } from "@/lib/records/list-presence";
import type { ListedRecord } from "@/lib/records/list-records";
import type { UserRef } from "@/lib/records/record-view";
import { setColumnsAction } from "../actions";
import { BulkRowCell, BulkSelectAllCell } from "./bulk-selection";
import { ColumnResizer } from "./column-resizer";
import { useColumnWidths, widthOf } from "./column-widths";
import type { Column } from "./columns";
import { type ListParams, listHref } from "./list-url";
import { summarizeChanges } from "./live-changes";
import { RecordRow, type RowMark } from "./record-row";

type CollectionEvent = {
  id: string;
  version: number;
  action: string;
  updatedAt: string;
  updatedBy: { id: string; name: string };
  /** Whether the record is in this list now (filter and search); null if the server could not tell. */
  matches: boolean | null;
};

type PresenceEvent = { recordId: string; users: { id: string; name: string; editing: boolean }[] };

/**
 * The list's table. It listens to the collection's events (with its filter and search, so
 * each write says whether its record matches): a row written since the list loaded is marked
 * in place (who, when), never moved; records that now match and are not shown, and shown ones
 * that no longer match or were deleted, are counted apart in "N changes since you loaded —
 * Show", which reloads the list as it is (filter, sort, view). Who has each row's record open
 * comes live from the same stream. Column edges can be dragged (or moved with the arrow keys)
 * and the widths are remembered for the person.
 */
export function RecordsTable(props: {
  slug: string;
  columns: Column[];
  items: ListedRecord[];
  sort: string;
  dir: "asc" | "desc";
  params: ListParams;
  /** The list's filter (JSON text, "" for none) and search: the stream matches writes against them. */
  filter: string;
  q: string | undefined;
  people: Record<string, string>;
  editing: Record<string, UserRef>;
  present: Record<string, RowPresence[]>;
  me: string;
  /** When the server read these rows: the event stream catches up from there. */
  loadedAt: string;
  /** Row selection for bulk edits (editors): a checkbox column; `titles` name the rows. */
  bulk: { enabled: boolean; titles: Record<string, string> };
  emptyText: string;
}) {
  const router = useRouter();
  const [writes, setWrites] = useState<Record<string, CollectionEvent>>({});
  const [present, setPresent] = useState(props.present);
  const [reloading, startReload] = useTransition();
  const listed = useRef(new Map<string, number>());
  listed.current = new Map(props.items.map((r) => [r.id, r.version]));
  const changedWidths = useColumnWidths(props.slug);
  const latestWidths = useRef(changedWidths);
  latestWidths.current = changedWidths;

  // A new render from the server (Show, paging, another filter) starts over: no marks, its presence.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset exactly when the server rendered again
  useEffect(() => {
    setWrites({});
    setPresent(props.present);
  }, [props.loadedAt]);

  useEffect(() => {
    const query = new URLSearchParams({ since: props.loadedAt });
    if (props.filter) query.set("filter", props.filter);
    if (props.q) query.set("q", props.q);
    const source = new EventSource(`/api/collections/${props.slug}/events?${query}`);
    source.addEventListener("record", (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as CollectionEvent;
      if (event.updatedBy.id === props.me) return;
      const shownVersion = listed.current.get(event.id);
      if (shownVersion !== undefined && event.version <= shownVersion) return;
      setWrites((w) => ((w[event.id]?.version ?? 0) >= event.version ? w : { ...w, [event.id]: event }));
    });
    // Each (re)connection starts with who has which record open now.
    source.addEventListener("ready", (message) => {
      const { presence } = JSON.parse((message as MessageEvent<string>).data) as {
        presence?: Record<string, PresenceEvent["users"]>;
      };
      if (!presence) return;
      setPresent(
        Object.fromEntries(
          [...listed.current.keys()].map((id) => [
            id,
            (presence[id] ?? [])
              .filter((u) => u.id !== props.me)
              .map((u) => ({ id: u.id, name: u.name, editing: u.editing })),
          ]),
        ),
      );
    });
    source.addEventListener("presence", (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as PresenceEvent;
      if (!listed.current.has(event.recordId)) return;
      setPresent((p) => ({
        ...p,
        [event.recordId]: event.users
          .filter((u) => u.id !== props.me)
          .map((u) => ({ id: u.id, name: u.name, editing: u.editing })),
      }));
    });
    return () => source.close();
  }, [props.slug, props.me, props.loadedAt, props.filter, props.q]);

  const summary = summarizeChanges(listed.current, writes);
  const marks: Record<string, RowMark> = {};
  for (const [id, event] of Object.entries(writes)) {
    if (!listed.current.has(id)) continue;
    marks[id] = {
      action: event.action,
      by: event.updatedBy.name,
      at: event.updatedAt,
      version: event.version,
      gone: event.matches === false,
    };
  }
  const sortHref = (key: string) => {
    const dir = props.sort === key && props.dir === "asc" ? "desc" : "asc";
    return listHref(props.slug, { ...props.params, sort: key, dir, cursor: undefined });
  };
  const saveWidths = () => {
    const changed = latestWidths.current;
    void callAction(setColumnsAction, {
      slug: props.slug,
      columns: props.columns.map((c) => {
        const width = widthOf(changed, c);
        return width ? { key: c.key, width } : { key: c.key };
      }),
    });
  };
  const sized = props.columns.some((c) => widthOf(changedWidths, c) !== undefined);
  return (
    <>
      <div aria-live="polite" className="live-banner-slot">
        {summary.total > 0 ? (
          <p className="notice live-banner" data-testid="live-banner">
            {summary.total} {summary.total === 1 ? "change" : "changes"} since you loaded: {summary.text} —{" "}
            <button
              type="button"
              className="link"
              disabled={reloading}
              onClick={() => startReload(() => router.refresh())}
            >
              Show
            </button>
          </p>
        ) : null}
      </div>
      <div className="table-wrap">
        <table className={sized ? "records sized" : "records"}>
          <colgroup>
            {props.bulk.enabled ? <col className="select-col" /> : null}
            {props.columns.map((c) => (
              <col key={c.key} style={widthOf(changedWidths, c) ? { width: widthOf(changedWidths, c) } : undefined} />
            ))}
          </colgroup>
          <thead>
            <tr>
              <BulkSelectAllCell slug={props.slug} enabled={props.bulk.enabled} />
              {props.columns.map((c) => {
                const active = props.sort === c.key;
                return (
                  <th
                    key={c.key}
                    scope="col"
                    aria-sort={active ? (props.dir === "asc" ? "ascending" : "descending") : undefined}
                  >
                    <Link href={sortHref(c.key)} title={`Sort by ${c.label}`}>
                      {c.label}
                      {active ? (props.dir === "asc" ? " ▲" : " ▼") : ""}
                    </Link>
                    <ColumnResizer
                      slug={props.slug}
                      columnKey={c.key}
                      label={c.label}
                      width={widthOf(changedWidths, c)}
                      onCommit={saveWidths}
                    />
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {props.items.length === 0 ? (
              <tr>
                <td colSpan={props.columns.length + (props.bulk.enabled ? 1 : 0)} className="muted">
                  {props.emptyText}
                </td>
              </tr>
            ) : (
              props.items.map((record) => (
                <RecordRow
                  key={record.id}
                  record={record}
                  columns={props.columns}
                  people={props.people}
                  editing={props.editing[record.id]}
                  present={present[record.id]}
                  me={props.me}
                  mark={marks[record.id]}
                  before={
                    <BulkRowCell
                      slug={props.slug}
                      enabled={props.bulk.enabled}
                      id={record.id}
                      version={record.version}
                      title={props.bulk.titles[record.id] ?? record.id}
                    />
                  }
                />
              ))
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}
