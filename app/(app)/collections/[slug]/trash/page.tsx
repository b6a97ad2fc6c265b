import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageActor } from "@/app/_lib/session";
import { RelativeTime } from "@/components/relative-time";
import { hasRole } from "@/lib/auth/actor";
import { findCollection } from "@/lib/collections";
import { displayValue } from "@/lib/fields";
import { listRecords } from "@/lib/records/list-records";
import { RestoreButton } from "./restore-button";

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  return { title: `Trash · ${(await params).slug}` };
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Deleted records of a collection, newest deletion first, searchable, each restorable. */
export default async function TrashPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, actor } = await requirePageActor();
  const { slug } = await params;
  const raw = await searchParams;
  const q = one(raw.q);
  const cursor = one(raw.cursor);
  const collection = await findCollection(db, slug);
  if (!collection) notFound();
  let result = await listRecords(
    db,
    collection,
    { deleted: "only", q, cursor, sort: "updatedAt", dir: "desc", limit: 50, count: true },
    actor.id,
  );
  const problem = result.ok ? null : result.error.message;
  if (!result.ok) result = await listRecords(db, collection, { deleted: "only", limit: 50, count: true }, actor.id);
  const page = result.ok ? result : { items: [], nextCursor: null, total: 0 };
  const columns = collection.fields.filter((f) => f.listed).slice(0, 3);
  const canRestore = hasRole(actor, "editor");
  const qs = (extra: Record<string, string | undefined>) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries({ q, ...extra })) if (value) search.set(key, value);
    const text = search.toString();
    return `/collections/${slug}/trash${text ? `?${text}` : ""}`;
  };

  return (
    <>
      <p className="small">
        <Link href={`/collections/${slug}`}>← {collection.name}</Link>
      </p>
      <div className="row">
        <h1>Trash: {collection.name}</h1>
        <span className="muted">
          {page.total} deleted {page.total === 1 ? "record" : "records"}
        </span>
      </div>
      <p className="muted small">
        Deleted records stay here with their history. Restoring one brings it back as a new version.
      </p>
      <search>
        <form className="row" action={`/collections/${slug}/trash`}>
          <label htmlFor="q" className="muted">
            Search the trash
          </label>
          <input id="q" name="q" type="search" defaultValue={q} style={{ maxWidth: 360 }} />
          <button type="submit">Search</button>
          {q ? <Link href={`/collections/${slug}/trash`}>Clear</Link> : null}
        </form>
      </search>
      {problem ? (
        <p role="alert" className="notice error">
          {problem}
        </p>
      ) : null}
      <div className="table-wrap" style={{ marginTop: "1rem" }}>
        <table className="records">
          <thead>
            <tr>
              {columns.map((f) => (
                <th key={f.key} scope="col">
                  {f.label}
                </th>
              ))}
              <th scope="col">Deleted</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.items.length === 0 ? (
              <tr>
                <td colSpan={columns.length + 2} className="muted">
                  {q ? `No deleted record matches “${q}”.` : "The trash is empty."}
                </td>
              </tr>
            ) : (
              page.items.map((record) => (
                <tr key={record.id} data-testid="trash-row">
                  {columns.map((f, i) => (
                    <td key={f.key}>
                      {i === 0 ? (
                        <Link href={`/records/${record.id}`}>{displayValue(f, record.data[f.key])}</Link>
                      ) : (
                        displayValue(f, record.data[f.key])
                      )}
                    </td>
                  ))}
                  <td className="muted small">
                    {record.deletedAt ? <RelativeTime iso={record.deletedAt} /> : null} by {record.deletedBy?.name}
                  </td>
                  <td>
                    {canRestore ? (
                      <RestoreButton
                        id={record.id}
                        version={record.version}
                        title={displayValue(columns[0], columns[0] ? record.data[columns[0].key] : undefined)}
                      />
                    ) : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <div className="row" style={{ marginTop: "0.75rem" }}>
        {cursor ? <Link href={qs({})}>First page</Link> : null}
        <span className="spacer" />
        {page.nextCursor ? <Link href={qs({ cursor: page.nextCursor })}>Next page</Link> : null}
      </div>
    </>
  );
}
