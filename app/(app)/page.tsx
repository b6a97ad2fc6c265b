import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/app/_lib/session";
import { SchemaLiveRefresh } from "@/components/schema-live-refresh";
import { listCollections } from "@/lib/collections";

export const metadata: Metadata = { title: "Collections" };

export default async function CollectionsPage() {
  const { db } = await requirePageActor();
  const collections = await listCollections(db);
  return (
    <>
      <SchemaLiveRefresh />
      <h1>Collections</h1>
      <div className="cards">
        {collections.map((c) => (
          <Link key={c.slug} href={`/collections/${c.slug}`} className="card">
            <h2>{c.name}</h2>
            <p className="muted small">
              {c.fields.length} fields ·{" "}
              {c.editMode === "lease" ? "one editor at a time" : "edit together, merge on save"}
            </p>
          </Link>
        ))}
      </div>
    </>
  );
}
