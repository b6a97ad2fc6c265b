import type { Metadata } from "next";
import { requirePageActor } from "@/app/_lib/session";
import { listCollections } from "@/lib/collections";
import { listPeople } from "@/lib/notifications";
import { ActivityFeed } from "./activity-feed";

export const metadata: Metadata = { title: "Activity" };

/** Every accepted write across the collections, newest first, filterable; batches grouped. */
export default async function ActivityPage() {
  const { db } = await requirePageActor();
  const [collections, people] = await Promise.all([listCollections(db), listPeople(db)]);
  return (
    <div className="stack">
      <h1>Activity</h1>
      <ActivityFeed
        collections={collections.map((c) => ({ slug: c.slug, name: c.name, fields: c.fields }))}
        people={people}
      />
    </div>
  );
}
