import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageActor } from "@/app/_lib/session";
import { AdminOnly } from "@/components/admin-only";
import { hasRole } from "@/lib/auth/actor";
import { getCollectionDetail, listCollections } from "@/lib/collections";
import { SchemaEditor } from "./schema-editor";

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  return { title: `Schema of ${(await params).slug}` };
}

/** The schema editor of one collection (admins). */
export default async function CollectionSchemaPage({ params }: { params: Promise<{ slug: string }> }) {
  const { db, actor } = await requirePageActor();
  if (!hasRole(actor, "admin")) return <AdminOnly title="Collection schema" actor={actor} />;
  const collection = await getCollectionDetail(db, (await params).slug);
  if (!collection) notFound();
  const slugs = (await listCollections(db)).map((c) => ({ slug: c.slug, name: c.name }));
  return (
    <div className="stack">
      <p className="small">
        <Link href="/admin/collections">← Collections setup</Link> ·{" "}
        <Link href={`/collections/${collection.slug}`}>Open {collection.name}</Link>
      </p>
      <SchemaEditor key={collection.slug} initial={collection} collections={slugs} />
    </div>
  );
}
