"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { RowPresence } from "@/lib/records/list-presence";
import type { ListedRecord } from "@/lib/records/list-records";
import type { UserRef } from "@/lib/records/record-view";
import { BulkRowCell, BulkSelectAllCell } from "./bulk-selection";
import type { Column } from "./columns";
import { type ListParams, listHref } from "./list-url";
import { RecordRow, type RowMark } from "./record-row";

type CollectionEvent = {
  id: string;
  version: number;
  action: string;
  updatedAt: string;
  updatedBy: { id: string; name: string };
};

/**
 * The list's table. It listens to the collection's events: a row written since the list
 * loaded is marked in place (who, when); anything else (new records, records that may now
 * match or not) is counted in "N changes since you loaded — Show", never reordering rows
 * under the reader's cursor.
 */
export function RecordsTable(props: {
  slug: string;
  columns: Column[];
  items: ListedRecord[];
  sort: string;
  dir: "asc" | "desc";
  params: ListParams;
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
  const [marks, setMarks] = useState<Record<string, RowMark>>({});
  const [elsewhere, setElsewhere] = useState<Set<string>>(new Set());
  const listed = useRef(new Map<string, number>());
  listed.current = new Map(props.items.map((r) => [r.id, r.version]));

  // A new page of rows (refresh, paging, another filter) starts with no marks.
  const itemsKey = props.items.map((r) => `${r.id}:${r.version}`).join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset exactly when the rows change
  useEffect(() => {
    setMarks({});
    setElsewhere(new Set());
  }, [itemsKey]);

  useEffect(() => {
    const source = new EventSource(`/api/collections/${props.slug}/events?since=${encodeURIComponent(props.loadedAt)}`);
    source.addEventListener("record", (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as CollectionEvent;
      if (event.updatedBy.id === props.me) return;
      const shownVersion = listed.current.get(event.id);
      if (shownVersion !== undefined) {
        if (event.version <= shownVersion) return;
        setMarks((m) => ({
          ...m,
          [event.id]: { action: event.action, by: event.updatedBy.name, at: event.updatedAt, version: event.version },
        }));
      } else {
        setElsewhere((s) => new Set(s).add(event.id));
      }
    });
    return () => source.close();
  }, [props.slug, props.me, props.loadedAt]);

  const changes = Object.keys(marks).length + elsewhere.size;
  const sortHref = (key: string) => {
    const dir = props.sort === key && props.dir === "asc" ? "desc" : "asc";
    return listHref(props.slug, { ...props.params, sort: key, dir, cursor: undefined });
  };
  return (
    <>
      <div aria-live="polite" className="live-banner-slot">
        {changes > 0 ? (
          <p className="notice live-banner">
            {changes} {changes === 1 ? "change" : "changes"} since you loaded —{" "}
            <button type="button" className="link" onClick={() => router.refresh()}>
              Show
            </button>
          </p>
        ) : null}
      </div>
      <div className="table-wrap">
        <table className="records">
          <colgroup>
            {props.bulk.enabled ? <col className="select-col" /> : null}
            {props.columns.map((c) => (
              <col key={c.key} style={c.width ? { width: c.width } : undefined} />
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
                  present={props.present[record.id]}
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
