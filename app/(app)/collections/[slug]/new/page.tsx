import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageActor } from "@/app/_lib/session";
import { ReferenceOptionsProvider } from "@/components/reference-options";
import { hasRole } from "@/lib/auth/actor";
import { findCollection } from "@/lib/collections";
import { referenceOptions } from "@/lib/records/reference-labels";
import { CreateRecordForm } from "./create-record-form";

export const metadata: Metadata = { title: "New record" };

export default async function NewRecordPage({ params }: { params: Promise<{ slug: string }> }) {
  const { db, actor } = await requirePageActor();
  const collection = await findCollection(db, (await params).slug);
  if (!collection) notFound();
  return (
    <>
      <p className="small">
        <Link href={`/collections/${collection.slug}`}>← {collection.name}</Link>
      </p>
      <h1>New record in {collection.name}</h1>
      {hasRole(actor, "editor") ? (
        <ReferenceOptionsProvider options={await referenceOptions(db, collection.fields)}>
          <CreateRecordForm collection={{ slug: collection.slug, fields: collection.fields }} />
        </ReferenceOptionsProvider>
      ) : (
        <p className="notice warn">You can view records but not create them (you are a {actor.role}).</p>
      )}
    </>
  );
}
