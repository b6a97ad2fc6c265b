import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageActor } from "@/app/_lib/session";
import { RelativeTime } from "@/components/relative-time";
import { hasRole } from "@/lib/auth/actor";
import { recordTitle } from "@/lib/batches/select-matching";
import { findCollection } from "@/lib/collections";
import { displayValue } from "@/lib/fields";
import { liveLeaseHolders } from "@/lib/leases/leases";
import { listRecords } from "@/lib/records/list-records";
import type { UserRef } from "@/lib/records/record-view";
import { BulkBar, BulkRowCell, BulkSelectAllCell } from "./_components/bulk-selection";
import { ExportMenu } from "./_components/export-menu";

type Search = { q?: string; sort?: string; dir?: string; cursor?: string };

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  return { title: (await params).slug };
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function CollectionPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, actor } = await requirePageActor();
  const { slug } = await params;
  const raw = await searchParams;
  const search: Search = { q: one(raw.q), sort: one(raw.sort), dir: one(raw.dir), cursor: one(raw.cursor) };
  const collection = await findCollection(db, slug);
  if (!collection) notFound();
  const dir = search.dir === "asc" || search.dir === "desc" ? search.dir : undefined;
  let result = await listRecords(db, collection, {
    q: search.q,
    sort: search.sort,
    dir,
    cursor: search.cursor,
    limit: 50,
  });
  const problem = result.ok ? null : result.error.message;
  if (!result.ok) result = await listRecords(db, collection, { limit: 50 });
  const items = result.ok ? result.items : [];
  const nextCursor = result.ok ? result.nextCursor : null;
  // Lease collections: who is editing which record right now (as of this page's load).
  const editing =
    collection.editMode === "lease"
      ? await liveLeaseHolders(
          db,
          items.map((record) => record.id),
        )
      : new Map();
  const columns = collection.fields.filter((f) => f.listed);
  const canEdit = hasRole(actor, "editor");
  const sort = search.sort ?? "updatedAt";
  const currentDir = dir ?? (sort === "updatedAt" || sort === "createdAt" ? "desc" : "asc");

  const href = (changes: Partial<Search>) => {
    const next = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...search, cursor: undefined, ...changes })) {
      if (value) next.set(key, value);
    }
    const query = next.toString();
    return `/collections/${slug}${query ? `?${query}` : ""}`;
  };
  const sortLink = (key: string, label: string) => {
    const active = sort === key;
    const nextDir = active && currentDir === "asc" ? "desc" : "asc";
    return (
      <Link href={href({ sort: key, dir: nextDir })} title={`Sort by ${label}`}>
        {label}
        {active ? (currentDir === "asc" ? " ▲" : " ▼") : ""}
      </Link>
    );
  };

  const ariaSort = (key: string) => (sort === key ? (currentDir === "asc" ? "ascending" : "descending") : undefined);

  return (
    <>
      <div className="row">
        <h1>{collection.name}</h1>
        <span className="spacer" />
        <ExportMenu slug={slug} query={{ q: search.q, sort: search.sort, dir }} />
        {canEdit ? (
          <Link href={`/collections/${slug}/import`} className="button">
            Import CSV
          </Link>
        ) : null}
        {hasRole(actor, "editor") ? (
          <Link href={`/collections/${slug}/new`} className="button primary">
            New record
          </Link>
        ) : null}
      </div>
      <search>
        <form className="row" action={`/collections/${slug}`}>
          <label htmlFor="q" className="muted">
            Search
          </label>
          <input id="q" name="q" type="search" defaultValue={search.q} style={{ maxWidth: 360 }} />
          {search.sort ? <input type="hidden" name="sort" value={search.sort} /> : null}
          {search.dir ? <input type="hidden" name="dir" value={search.dir} /> : null}
          <button type="submit">Search</button>
          {search.q ? <Link href={href({ q: undefined })}>Clear</Link> : null}
        </form>
      </search>
      {problem ? (
        <p role="alert" className="notice error">
          {problem}
        </p>
      ) : null}
      <BulkBar
        slug={slug}
        fields={collection.fields}
        rows={items.map((r) => ({ id: r.id, version: r.version, title: recordTitle(collection, r.data) }))}
        query={{ q: search.q, sort: search.sort, dir }}
        enabled={canEdit}
      />
      <div className="table-wrap" style={{ marginTop: "1rem" }}>
        <table className="records">
          <thead>
            <tr>
              <BulkSelectAllCell slug={slug} enabled={canEdit} />
              {columns.map((f) => (
                <th key={f.key} scope="col" aria-sort={ariaSort(f.key)}>
                  {sortLink(f.key, f.label)}
                </th>
              ))}
              <th scope="col" aria-sort={ariaSort("updatedAt")}>
                {sortLink("updatedAt", "Updated")}
              </th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 ? (
              <tr>
                <td colSpan={columns.length + 1} className="muted">
                  {search.q ? `Nothing matches “${search.q}”.` : "No records yet."}
                </td>
              </tr>
            ) : (
              items.map((record) => (
                <tr key={record.id}>
                  <BulkRowCell
                    slug={slug}
                    enabled={canEdit}
                    id={record.id}
                    version={record.version}
                    title={recordTitle(collection, record.data)}
                  />
                  {columns.map((f, i) => (
                    <td key={f.key}>
                      {i === 0 ? (
                        <>
                          <Link href={`/records/${record.id}`}>{displayValue(f, record.data[f.key])}</Link>
                          <EditingPill holder={editing.get(record.id)} me={actor.id} />
                        </>
                      ) : (
                        displayValue(f, record.data[f.key])
                      )}
                    </td>
                  ))}
                  <td className="muted small">
                    <RelativeTime iso={record.updatedAt} /> by {record.updatedBy.name}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <div className="row" style={{ marginTop: "0.75rem" }}>
        {search.cursor ? <Link href={href({})}>First page</Link> : null}
        <span className="spacer" />
        {nextCursor ? (
          <Link href={`${href({})}${href({}).includes("?") ? "&" : "?"}cursor=${nextCursor}`}>Next page</Link>
        ) : null}
      </div>
    </>
  );
}

/** "Alice is editing" beside a record whose edit lease someone holds. */
function EditingPill({ holder, me }: { holder: UserRef | undefined; me: string }) {
  if (!holder) return null;
  return (
    <span className="pill editing-pill">{holder.id === me ? "You are editing" : `${holder.name} is editing`}</span>
  );
}
