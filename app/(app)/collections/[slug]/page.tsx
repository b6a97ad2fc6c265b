import { asc, sql } from "drizzle-orm";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { requirePageActor } from "@/app/_lib/session";
import { ReferenceOptionsProvider } from "@/components/reference-options";
import { SchemaLiveRefresh } from "@/components/schema-live-refresh";
import { records, users } from "@/db/schema";
import { rowsOf } from "@/db/table-rows";
import { hasRole } from "@/lib/auth/actor";
import { MAX_BULK_ITEMS } from "@/lib/batches/batches";
import { recordTitle } from "@/lib/batches/select-matching";
import { findCollection } from "@/lib/collections";
import { isUuid } from "@/lib/ids";
import { liveLeaseHolders } from "@/lib/leases/lease-queries";
import { presenceOfRecords } from "@/lib/records/list-presence";
import { BUILTIN_SORTS, listRecords } from "@/lib/records/list-records";
import { isoString, type UserRef } from "@/lib/records/record-view";
import { type ReferenceOptions, referenceLabels, referenceOptions } from "@/lib/records/reference-labels";
import { getListPreferences } from "@/lib/views/preferences";
import { findView, listViews, type ViewJson } from "@/lib/views/views";
import { BulkBar } from "./_components/bulk-selection";
import { defaultColumns, resolveColumns } from "./_components/columns";
import { ColumnsMenu } from "./_components/columns-menu";
import { ExportMenu } from "./_components/export-menu";
import { FilterBar } from "./_components/filter-bar";
import { type ListParams, listHref } from "./_components/list-url";
import { RecordsTable } from "./_components/records-table";
import { ViewsMenu } from "./_components/views-menu";

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  return { title: (await params).slug };
}

const NO_REFERENCES: ReferenceOptions = { people: [], links: {} };

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parsedFilter(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
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
  const search: ListParams = {
    view: one(raw.view),
    filter: one(raw.filter),
    sort: one(raw.sort),
    dir: one(raw.dir),
    q: one(raw.q),
    cursor: one(raw.cursor),
  };
  const collection = await findCollection(db, slug);
  if (!collection) notFound();
  const preferences = await getListPreferences(db, actor.id, collection.id);
  const bare = Object.values(search).every((v) => v === undefined);
  if (bare && preferences.defaultViewId && (await findView(db, actor, preferences.defaultViewId))) {
    redirect(listHref(slug, { view: preferences.defaultViewId }));
  }
  const active: ViewJson | null = search.view && isUuid(search.view) ? await findView(db, actor, search.view) : null;
  const viewMissing = Boolean(search.view && search.view !== "none" && !active);

  const filterText = search.filter ?? (active ? JSON.stringify(active.filter) : "");
  const sort = search.sort ?? active?.sort ?? "updatedAt";
  const dirParam = search.dir ?? active?.dir ?? undefined;
  const dir: "asc" | "desc" =
    dirParam === "asc" || dirParam === "desc" ? dirParam : BUILTIN_SORTS.includes(sort as never) ? "desc" : "asc";
  const modified =
    active !== null &&
    ((search.filter !== undefined && JSON.stringify(parsedFilter(search.filter)) !== JSON.stringify(active.filter)) ||
      (search.sort !== undefined && search.sort !== active.sort) ||
      (search.dir !== undefined && search.dir !== active.dir));

  // The database's clock just before the rows are read: the live stream catches up from it.
  const [clock] = await rowsOf(db, sql`select now() as now`, { now: records.updatedAt });
  const loadedAt = clock ? isoString(clock.now) : new Date().toISOString();
  let result = await listRecords(
    db,
    collection,
    { q: search.q, sort, dir, cursor: search.cursor, filter: filterText, limit: 50, count: true },
    actor.id,
  );
  const problem = result.ok ? null : result.error.message;
  if (!result.ok) result = await listRecords(db, collection, { limit: 50, count: true }, actor.id);
  const page = result.ok ? result : { items: [], nextCursor: null, total: 0, totalIsEstimate: undefined };
  const editing =
    collection.editMode === "lease"
      ? await liveLeaseHolders(
          db,
          page.items.map((record) => record.id),
        )
      : new Map<string, UserRef>();
  const present = await presenceOfRecords(
    db,
    page.items.map((record) => record.id),
    actor.id,
  );
  const people = await db.select({ id: users.id, name: users.name }).from(users).orderBy(asc(users.name));
  const views = await listViews(db, actor, collection);
  // Linked records by title (people by name come from `people`).
  const labels = await referenceLabels(
    db,
    collection.fields,
    page.items.map((r) => r.data),
  );
  const columns = resolveColumns(
    collection.fields,
    preferences.columns ?? active?.columns?.map((key) => ({ key })) ?? defaultColumns(collection.fields),
  );
  const effective = { ...search, sort, dir };
  const filtered = filterText !== "" && filterText !== "{}";
  const canEdit = hasRole(actor, "editor");

  return (
    <>
      {/* Columns and labels come from the schema: refetched when an admin changes it. */}
      <SchemaLiveRefresh />
      <div className="row">
        <h1>{active ? `${collection.name}: ${active.name}` : collection.name}</h1>
        <span className="muted" data-testid="record-total">
          {page.total !== undefined
            ? `${page.totalIsEstimate ? "about " : ""}${page.total.toLocaleString("en")} ${page.total === 1 ? "record" : "records"}`
            : ""}
        </span>
        <span className="spacer" />
        <Link href={`/collections/${slug}/trash`}>Trash</Link>
        <ExportMenu
          slug={slug}
          query={{ q: search.q, sort: search.sort, dir, filter: filtered ? filterText : undefined }}
        />
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
      <div className="list-toolbar">
        <ViewsMenu
          slug={slug}
          views={views}
          active={active}
          current={{ filter: parsedFilter(filterText), sort, dir, columns: columns.map((c) => c.key) }}
          modified={modified}
          params={search}
          me={{ id: actor.id, role: actor.role }}
          defaultViewId={preferences.defaultViewId}
        />
        <div className="row">
          <search>
            <form className="row" action={`/collections/${slug}`}>
              <label htmlFor="q" className="muted">
                Search
              </label>
              <input id="q" name="q" type="search" defaultValue={search.q} style={{ maxWidth: 300 }} />
              {(["view", "filter", "sort", "dir"] as const).map((key) =>
                search[key] ? <input key={key} type="hidden" name={key} value={search[key]} /> : null,
              )}
              <button type="submit">Search</button>
              {search.q ? (
                <Link href={listHref(slug, { ...search, q: undefined, cursor: undefined })}>Clear</Link>
              ) : null}
            </form>
          </search>
          <span className="spacer" />
          <ColumnsMenu slug={slug} fields={collection.fields} columns={columns} />
        </div>
        <FilterBar
          key={filterText}
          slug={slug}
          fields={collection.fields}
          people={people}
          params={search}
          filterText={filterText}
        />
      </div>
      {viewMissing ? (
        <p role="alert" className="notice warn">
          That view does not exist any more (or is someone's personal view). Showing all records.
        </p>
      ) : null}
      {problem ? (
        <p role="alert" className="notice error">
          {problem}
        </p>
      ) : null}
      <ReferenceOptionsProvider options={canEdit ? await referenceOptions(db, collection.fields) : NO_REFERENCES}>
        <BulkBar
          slug={slug}
          fields={collection.fields}
          rows={page.items.map((r) => ({ id: r.id, version: r.version, title: recordTitle(collection, r.data) }))}
          query={{ q: search.q, sort: search.sort, dir, filter: filtered ? filterText : undefined }}
          matching={page.total !== undefined ? { total: page.total, estimate: page.totalIsEstimate } : undefined}
          maxItems={MAX_BULK_ITEMS}
          enabled={canEdit}
        />
      </ReferenceOptionsProvider>
      <RecordsTable
        slug={slug}
        columns={columns}
        items={page.items}
        sort={sort}
        dir={dir}
        params={effective}
        filter={filtered ? filterText : ""}
        q={search.q}
        people={{ ...labels, ...Object.fromEntries(people.map((p) => [p.id, p.name])) }}
        editing={Object.fromEntries(editing)}
        present={present}
        me={actor.id}
        loadedAt={loadedAt}
        bulk={{
          enabled: canEdit,
          titles: Object.fromEntries(page.items.map((r) => [r.id, recordTitle(collection, r.data)])),
        }}
        emptyText={
          search.q
            ? `Nothing matches “${search.q}”.`
            : filtered
              ? "No record matches these filters."
              : "No records yet."
        }
      />
      <div className="row" style={{ marginTop: "0.75rem" }}>
        {search.cursor ? <Link href={listHref(slug, { ...effective, cursor: undefined })}>First page</Link> : null}
        <span className="spacer" />
        {page.nextCursor ? (
          <Link href={listHref(slug, { ...effective, cursor: page.nextCursor })}>Next page</Link>
        ) : null}
      </div>
    </>
  );
}
