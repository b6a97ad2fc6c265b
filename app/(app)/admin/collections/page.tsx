import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/app/_lib/session";
import { AdminOnly } from "@/components/admin-only";
import { ListTable } from "@/components/page-section";
import { RelativeTime } from "@/components/relative-time";
import { SchemaLiveRefresh } from "@/components/schema-live-refresh";
import { hasRole } from "@/lib/auth/actor";
import { getCollectionDetail, listCollections } from "@/lib/collections";
import { NewCollectionForm } from "./new-collection-form";

export const metadata: Metadata = { title: "Collections setup" };

/** Every collection with its schema version and who changed it last, and a form to create one. */
export default async function AdminCollectionsPage() {
  const { db, actor } = await requirePageActor();
  if (!hasRole(actor, "admin")) return <AdminOnly title="Collections setup" actor={actor} />;
  const collections = await listCollections(db);
  const details = await Promise.all(collections.map((c) => getCollectionDetail(db, c.slug)));
  return (
    <div className="stack">
      <SchemaLiveRefresh />
      <p className="small">
        <Link href="/admin">← Admin</Link>
      </p>
      <h1 style={{ margin: 0 }}>Collections setup</h1>
      <ListTable label="Collections" columns={["Collection", "Slug", "Fields", "Edit mode", "Version", "Last changed"]}>
        {details.flatMap((c) =>
          c
            ? [
                <tr key={c.slug}>
                  <td>
                    <Link href={`/admin/collections/${c.slug}`}>{c.name}</Link>
                  </td>
                  <td>
                    <code>{c.slug}</code>
                  </td>
                  <td>
                    {c.fields.length}
                    {c.removedFields.length > 0 ? (
                      <span className="muted small"> (+{c.removedFields.length} removed)</span>
                    ) : null}
                  </td>
                  <td>{c.editMode === "lease" ? "One editor at a time" : "Edit together"}</td>
                  <td data-testid={`version-${c.slug}`}>{c.version}</td>
                  <td className="muted small">
                    <RelativeTime iso={c.updatedAt} />
                    {c.updatedBy ? ` by ${c.updatedBy.name}` : ""}
                  </td>
                </tr>,
              ]
            : [],
        )}
      </ListTable>
      <NewCollectionForm />
    </div>
  );
}
