"use client";

import Link from "next/link";
import { RelativeTime } from "@/components/relative-time";
import { displayValue } from "@/lib/fields";
import type { RowPresence } from "@/lib/records/list-presence";
import type { ListedRecord } from "@/lib/records/list-records";
import type { UserRef } from "@/lib/records/record-view";
import type { Column } from "./columns";

/** A write to this row since the list loaded (from the collection's event stream). */
export type RowMark = {
  action: string;
  by: string;
  at: string;
  version: number;
  /** The record no longer matches the list (or was deleted): it goes at the next Show. */
  gone: boolean;
};

/**
 * One row of the list. Kept apart from the table so other things (row selection) can mount
 * beside it without the table knowing: `before` renders first in the row.
 */
export function RecordRow(props: {
  record: ListedRecord;
  columns: Column[];
  people: Record<string, string>;
  editing?: UserRef | undefined;
  /** Others who have the record open (live, from the list's event stream). */
  present?: RowPresence[] | undefined;
  me: string;
  mark?: RowMark | undefined;
  before?: React.ReactNode;
}) {
  const { record, mark } = props;
  return (
    <tr
      data-testid="record-row"
      data-record-id={record.id}
      className={mark ? (mark.gone ? "changed-row gone-row" : "changed-row") : undefined}
    >
      {props.before}
      {props.columns.map((column, i) => (
        <td key={column.key}>
          {i === 0 ? (
            <>
              <Link href={`/records/${record.id}`}>{cellText(column, record, props.people)}</Link>
              {props.editing ? (
                <span className="pill editing-pill">
                  {props.editing.id === props.me ? "You are editing" : `${props.editing.name} is editing`}
                </span>
              ) : null}
              {props.present?.map((p) => (
                <span
                  key={p.id}
                  className={p.editing ? "pill presence-pill editing" : "pill presence-pill"}
                  data-testid="row-presence"
                >
                  {p.name} {p.editing ? "editing" : "viewing"}
                </span>
              ))}
              {mark ? (
                <span className="pill changed-pill" data-testid="row-changed">
                  {mark.action === "delete" ? "Deleted" : mark.gone ? "No longer matches: changed" : "Changed"} by{" "}
                  {mark.by} · <RelativeTime iso={mark.at} />
                </span>
              ) : null}
            </>
          ) : column.key === "updatedAt" || column.key === "createdAt" ? (
            <span className="muted small">
              <RelativeTime iso={column.key === "updatedAt" ? record.updatedAt : record.createdAt} />
              {column.key === "updatedAt" ? ` by ${record.updatedBy.name}` : ""}
            </span>
          ) : (
            <>
              {cellText(column, record, props.people)}
              {record.invalid?.[column.key] ? (
                <span className="flag" title={record.invalid[column.key]}>
                  {" "}
                  ⚠ <span className="sr-only">{record.invalid[column.key]}</span>
                </span>
              ) : null}
            </>
          )}
        </td>
      ))}
    </tr>
  );
}

function cellText(column: Column, record: ListedRecord, people: Record<string, string>): string {
  switch (column.key) {
    case "updatedBy":
      return record.updatedBy.name;
    case "createdBy":
      return record.createdBy.name;
    case "updatedAt":
      return new Date(record.updatedAt).toLocaleString();
    case "createdAt":
      return new Date(record.createdAt).toLocaleString();
  }
  const value = record.data[column.key];
  if (column.field?.type === "user" && typeof value === "string") return people[value] ?? "Unknown person";
  return displayValue(column.field, value, people);
}
