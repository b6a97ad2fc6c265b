// Run by db:seed and e2e/serve.ts through tsx --conditions=react-server.
import "server-only";
import { count, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { type EditMode, type Role, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { hashPassword } from "@/lib/auth/password";
import { createCollection } from "@/lib/collections/write-collection";
import { demoPassword } from "@/lib/demo-password";
import type { FieldDefinition } from "@/lib/fields";
import { createRecord } from "@/lib/records/create-record";

export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: "alice@example.com", name: "Alice", role: "editor" },
  { email: "bob@example.com", name: "Bob", role: "editor" },
  { email: "carol@example.com", name: "Carol", role: "viewer" },
  { email: "admin@example.com", name: "Admin", role: "admin" },
];

export const DEMO_COLLECTIONS: {
  slug: string;
  name: string;
  editMode: EditMode;
  fields: FieldDefinition[];
  /** The integer field that caps reservations: records of this collection take them. */
  capacityField?: string;
}[] = [
  {
    slug: "customers",
    name: "Customers",
    // One editor at a time, under an edit lease (DESIGN.md guarantee 6); the others merge on save.
    editMode: "lease",
    fields: [
      { key: "name", label: "Name", type: "text", required: true, listed: true },
      { key: "company", label: "Company", type: "text", listed: true },
      { key: "email", label: "Email", type: "email", listed: true },
      { key: "phone", label: "Phone", type: "text" },
      { key: "tier", label: "Tier", type: "select", options: ["Standard", "Gold", "Platinum"], listed: true },
      { key: "active", label: "Active", type: "boolean" },
      { key: "notes", label: "Notes", type: "longtext" },
    ],
  },
  {
    slug: "tickets",
    name: "Tickets",
    editMode: "optimistic",
    fields: [
      { key: "title", label: "Title", type: "text", required: true, listed: true },
      {
        key: "status",
        label: "Status",
        type: "select",
        options: ["Open", "In progress", "Resolved", "Closed"],
        required: true,
        listed: true,
      },
      {
        key: "priority",
        label: "Priority",
        type: "select",
        options: ["Low", "Normal", "High", "Urgent"],
        listed: true,
      },
      { key: "assignee", label: "Assignee", type: "user", listed: true },
      {
        key: "tags",
        label: "Tags",
        type: "multiselect",
        options: ["billing", "bug", "hardware", "request"],
        listed: true,
      },
      { key: "due", label: "Due", type: "date", listed: true },
      { key: "estimate_hours", label: "Estimate (hours)", type: "number", min: 0 },
      { key: "count", label: "Count", type: "integer" },
      { key: "description", label: "Description", type: "longtext" },
    ],
  },
  {
    slug: "events",
    name: "Events",
    editMode: "optimistic",
    capacityField: "capacity",
    fields: [
      { key: "name", label: "Name", type: "text", required: true, listed: true },
      { key: "date", label: "Date", type: "date", required: true, listed: true },
      { key: "venue", label: "Venue", type: "text", listed: true },
      { key: "capacity", label: "Capacity", type: "integer", required: true, min: 0, max: 100000, listed: true },
      { key: "published", label: "Published", type: "boolean" },
      { key: "description", label: "Description", type: "longtext" },
    ],
  },
];

/** Values of `user` fields are the demo people's emails here, and their ids once seeded. */
const DEMO_RECORDS: Record<string, Record<string, string | number | boolean | string[]>[]> = {
  customers: [
    {
      name: "Ada Lovelace",
      company: "Analytical Engines Ltd",
      email: "ada@engines.example",
      tier: "Platinum",
      active: true,
      notes: "Prefers email.\nRenewal due in March.",
    },
    {
      name: "Grace Hopper",
      company: "Compiler Co",
      email: "grace@compiler.example",
      phone: "+1 555 0100",
      tier: "Gold",
      active: true,
    },
    {
      name: "Edsger Dijkstra",
      company: "Shortest Path BV",
      email: "edsger@paths.example",
      tier: "Standard",
      active: false,
    },
  ],
  tickets: [
    {
      title: "Invoice shows the wrong VAT rate",
      status: "Open",
      priority: "High",
      assignee: "alice@example.com",
      tags: ["billing", "bug"],
      due: "2026-12-01",
      count: 0,
      description: "Customer reports 19% instead of 21%.\nCheck the tax table.",
    },
    {
      title: "Add a phone field to the signup form",
      status: "In progress",
      priority: "Normal",
      assignee: "bob@example.com",
      tags: ["request"],
      count: 0,
    },
    { title: "Printer on floor 2 jams", status: "Resolved", priority: "Low", tags: ["hardware"], count: 0 },
  ],
  events: [
    {
      name: "Winter customer day",
      date: "2026-12-10",
      venue: "Main hall",
      capacity: 120,
      published: true,
      description: "Talks in the morning, workshops after lunch.",
    },
    { name: "Product training", date: "2027-01-14", venue: "Room 3", capacity: 12, published: true },
    { name: "Team offsite", date: "2027-02-02", venue: "Lakeside", capacity: 40, published: false },
  ],
};

async function hasUsers(db: DbOrTx): Promise<boolean> {
  const [existing] = await db.select({ n: count() }).from(users);
  return (existing?.n ?? 0) > 0;
}

/**
 * Seeds demo users, collections and records, but never into a database that has users. All of
 * it in one transaction: a crash halfway must leave nothing behind, or the next start would
 * find users and never seed the rest.
 */
/** Whether demo data went in, and with which password (printed once when it was made up). */
export type SeedOutcome = { seeded: false } | { seeded: true; password: string; generated: boolean };

export async function seedDemoData(db: DbOrTx): Promise<SeedOutcome> {
  if (await hasUsers(db)) return { seeded: false };
  const { password, generated } = demoPassword();
  // Hashed before the transaction opens: argon2 is deliberately slow.
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx): Promise<SeedOutcome> => {
    // Two first starts at once (two instances on one new database): the second waits here,
    // then finds the first one's users.
    await tx.execute(sql`select pg_advisory_xact_lock(7420012)`);
    if (await hasUsers(tx)) return { seeded: false };
    const actors: Actor[] = [];
    for (const user of DEMO_USERS) {
      const [row] = await tx
        .insert(users)
        .values({ email: user.email, name: user.name, role: user.role, passwordHash })
        .returning({ id: users.id });
      if (row) actors.push({ id: row.id, ...user });
    }
    const author = actors.find((a) => a.role === "admin");
    if (!author) throw new Error("seeding inserted no admin user");
    // Through the same domain function as the admin pages and the API: each is its revision 1.
    for (const c of DEMO_COLLECTIONS) {
      const created = await createCollection(tx, author, {
        slug: c.slug,
        name: c.name,
        editMode: c.editMode,
        capacityField: c.capacityField ?? null,
        fields: c.fields,
      });
      if (!created.ok) throw new Error(`demo collection ${c.slug} is invalid: ${JSON.stringify(created.error)}`);
    }
    const idOf = new Map(actors.map((a) => [a.email, a.id]));
    for (const [slug, rows] of Object.entries(DEMO_RECORDS)) {
      const fields = DEMO_COLLECTIONS.find((c) => c.slug === slug)?.fields ?? [];
      for (const row of rows) {
        const values = Object.fromEntries(
          Object.entries(row).map(([key, value]) => {
            const isUser = fields.find((f) => f.key === key)?.type === "user";
            return [key, isUser && typeof value === "string" ? (idOf.get(value) ?? value) : value];
          }),
        );
        const created = await createRecord(tx, author, { collectionSlug: slug, values });
        if (!created.ok) throw new Error(`demo record for ${slug} is invalid: ${JSON.stringify(created.error)}`);
      }
    }
    return { seeded: true, password, generated };
  });
}
