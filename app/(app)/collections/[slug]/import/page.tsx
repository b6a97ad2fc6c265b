import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageActor } from "@/app/_lib/session";
import { hasRole } from "@/lib/auth/actor";
import { MAX_IMPORT_ROWS } from "@/lib/batches/import-csv";
import { findCollection } from "@/lib/collections";
import { ImportForm } from "./import-form";

export const metadata: Metadata = { title: "Import CSV" };

export default async function ImportPage({ params }: { params: Promise<{ slug: string }> }) {
  const { db, actor } = await requirePageActor();
  const collection = await findCollection(db, (await params).slug);
  if (!collection) notFound();
  return (
    <>
      <p className="small">
        <Link href={`/collections/${collection.slug}`}>← {collection.name}</Link>
      </p>
      <h1>Import CSV into {collection.name}</h1>
      <p className="muted">
        A row without an <code>id</code> creates a record. A row with <code>id</code> and <code>version</code> (as an
        export writes them) changes only the cells you edited since that version, and a record someone changed meanwhile
        is merged or reported. Up to {MAX_IMPORT_ROWS.toLocaleString("en")} rows and 50 MiB, UTF-8. Nothing is written
        until you apply the import.
      </p>
      {hasRole(actor, "editor") ? (
        <ImportForm slug={collection.slug} fields={collection.fields} />
      ) : (
        <p className="notice warn">You can view records but not import them (you are a {actor.role}).</p>
      )}
    </>
  );
}
