"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { fetchActivity } from "@/components/history-api";
import { RelativeTime } from "@/components/relative-time";
import { REVISION_ACTIONS, type RevisionAction } from "@/db/schema";
import type { ActivityItem } from "@/lib/activity";
import { displayValue, type FieldDefinition } from "@/lib/fields";
import { queryKeys } from "@/lib/query-keys";
import type { UserRef } from "@/lib/records/record-view";

type CollectionOption = { slug: string; name: string; fields: FieldDefinition[] };

const ACTION_WORDS: Record<RevisionAction, string> = {
  create: "created",
  update: "updated",
  merge: "merged",
  overwrite: "overwrote",
  delete: "deleted",
  restore: "restored",
  revert: "restored an older version of",
};

const FOLD_AT = 120;

type Filters = { collection: string; user: string; action: string; since: string; until: string };

/** Consecutive items of one batch become one group; everything else stands alone. */
type Group = { batchId: string | null; items: ActivityItem[] };

function group(items: ActivityItem[]): Group[] {
  const groups: Group[] = [];
  for (const item of items) {
    const last = groups.at(-1);
    if (item.batchId && last?.batchId === item.batchId) last.items.push(item);
    else groups.push({ batchId: item.batchId, items: [item] });
  }
  return groups;
}

export function ActivityFeed({ collections, people }: { collections: CollectionOption[]; people: UserRef[] }) {
  const id = useId();
  const [filters, setFilters] = useState<Filters>({ collection: "", user: "", action: "", since: "", until: "" });
  const feed = useInfiniteQuery({
    queryKey: queryKeys.activity(filters),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ limit: "50" });
      if (filters.collection) query.set("collection", filters.collection);
      if (filters.user) query.set("user", filters.user);
      if (filters.action) query.set("action", filters.action);
      if (filters.since) query.set("since", new Date(`${filters.since}T00:00:00`).toISOString());
      // "Until" includes that whole day.
      if (filters.until) {
        const end = new Date(`${filters.until}T00:00:00`);
        end.setDate(end.getDate() + 1);
        query.set("until", end.toISOString());
      }
      if (pageParam) query.set("before", pageParam);
      return fetchActivity(query);
    },
    getNextPageParam: (page) => page.nextCursor,
  });
  const items = feed.data?.pages.flatMap((page) => page.items) ?? [];
  const fieldsOf = (slug: string) => collections.find((c) => c.slug === slug)?.fields ?? [];
  const set = (key: keyof Filters) => (event: { target: { value: string } }) =>
    setFilters((f) => ({ ...f, [key]: event.target.value }));
  return (
    <>
      <form className="filters panel" aria-label="Filter activity" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={`${id}-collection`}>Collection</label>
          <select id={`${id}-collection`} value={filters.collection} onChange={set("collection")}>
            <option value="">All collections</option>
            {collections.map((c) => (
              <option key={c.slug} value={c.slug}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-user`}>Person</label>
          <select id={`${id}-user`} value={filters.user} onChange={set("user")}>
            <option value="">Everyone</option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-action`}>Action</label>
          <select id={`${id}-action`} value={filters.action} onChange={set("action")}>
            <option value="">Any action</option>
            {REVISION_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-since`}>Since</label>
          <input id={`${id}-since`} type="date" value={filters.since} onChange={set("since")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-until`}>Until</label>
          <input id={`${id}-until`} type="date" value={filters.until} onChange={set("until")} />
        </div>
      </form>
      {feed.isPending ? <p className="muted">Loading activity…</p> : null}
      {feed.isError ? <p className="notice error">Activity could not be loaded.</p> : null}
      {feed.isSuccess && items.length === 0 ? <p className="muted">Nothing matches.</p> : null}
      <ul className="feed" aria-label="Activity">
        {group(items).map((g) =>
          g.batchId ? (
            <li key={`batch-${g.batchId}-${g.items[0]?.recordId}-${g.items[0]?.version}`} data-testid="activity-batch">
              <div className="row small">
                <strong>{g.items[0]?.user.name}</strong>
                <span>
                  changed {g.items.length} record{g.items.length === 1 ? "" : "s"} in one batch
                </span>
                <span className="muted">{g.items[0] ? <RelativeTime iso={g.items[0].at} /> : null}</span>
              </div>
              <details>
                <summary className="small">Show the batch's records</summary>
                <ul className="batch-items">
                  {g.items.map((item) => (
                    <Entry
                      key={`${item.recordId}-${item.version}`}
                      item={item}
                      fields={fieldsOf(item.collection.slug)}
                    />
                  ))}
                </ul>
              </details>
            </li>
          ) : (
            g.items.map((item) => (
              <Entry key={`${item.recordId}-${item.version}`} item={item} fields={fieldsOf(item.collection.slug)} />
            ))
          ),
        )}
      </ul>
      {feed.hasNextPage ? (
        <button type="button" onClick={() => void feed.fetchNextPage()} disabled={feed.isFetchingNextPage}>
          {feed.isFetchingNextPage ? "Loading…" : "Show older activity"}
        </button>
      ) : null}
    </>
  );
}

function Entry({ item, fields }: { item: ActivityItem; fields: FieldDefinition[] }) {
  const field = (key: string) => fields.find((f) => f.key === key);
  const changes = item.action === "create" || item.action === "delete" ? [] : Object.entries(item.changes);
  return (
    <li data-testid="activity-item">
      <div className="row small">
        <span className={`pill ${item.action}`}>v{item.version}</span>
        <strong>{item.user.name}</strong>
        <span>
          {ACTION_WORDS[item.action]} <Link href={`/records/${item.recordId}`}>{item.title}</Link>
          {item.revertedFrom ? ` (back to version ${item.revertedFrom})` : ""}
        </span>
        <span className="muted">in {item.collection.name}</span>
        <span className="muted">
          <RelativeTime iso={item.at} />
        </span>
      </div>
      {changes.length > 0 ? (
        <ul className="changes">
          {changes.map(([key, change]) => (
            <li key={key} className="change">
              {field(key)?.label ?? key}: <Folded text={displayValue(field(key), change.from)} className="from" /> →{" "}
              <Folded text={displayValue(field(key), change.to)} strong />
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** A long value shows its start; the rest opens on demand. */
function Folded({ text, className, strong }: { text: string; className?: string; strong?: boolean }) {
  const [open, setOpen] = useState(false);
  const long = text.length > FOLD_AT;
  const shown = long && !open ? `${text.slice(0, FOLD_AT)}…` : text;
  return (
    <>
      {strong ? <strong className={className}>{shown}</strong> : <span className={className}>{shown}</span>}
      {long ? (
        <button type="button" className="link small" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          {open ? "Show less" : "Show all"}
        </button>
      ) : null}
    </>
  );
}
