import "server-only";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { collections, records, users } from "@/db/schema";
import type { FieldDefinition } from "@/lib/fields";
import { isUuid } from "@/lib/ids";

/**
 * How user and link values read to a person: a user by name, a linked record by its title (its
 * collection's first text field). For tables, record pages and the inputs that pick them.
 */

export type ReferenceOption = { id: string; label: string };
export type ReferenceOptions = { people: ReferenceOption[]; links: Record<string, ReferenceOption[]> };

const LINK_OPTIONS_LIMIT = 500;

/** The title of each record of a collection, as SQL: its first text field, else its id. */
function titleSql(slug: string) {
  return sql<string>`coalesce(
    ${records.data} ->> (select f ->> 'key' from collections c2, jsonb_array_elements(c2.fields) f
                          where c2.slug = ${slug} and f ->> 'type' = 'text' limit 1),
    ${records.id}::text)`;
}

/** Everything a form's user and link inputs offer: active people, and the records of each linked collection. */
export async function referenceOptions(db: DbOrTx, fields: readonly FieldDefinition[]): Promise<ReferenceOptions> {
  const options: ReferenceOptions = { people: [], links: {} };
  if (fields.some((f) => f.type === "user")) {
    options.people = await db
      .select({ id: users.id, label: users.name })
      .from(users)
      .where(eq(users.active, true))
      .orderBy(asc(users.name), asc(users.id));
  }
  for (const slug of new Set(fields.flatMap((f) => (f.type === "link" && f.collection ? [f.collection] : [])))) {
    const label = titleSql(slug);
    options.links[slug] = await db
      .select({ id: records.id, label })
      .from(records)
      .innerJoin(collections, eq(collections.id, records.collectionId))
      .where(and(eq(collections.slug, slug), isNull(records.deletedAt)))
      .orderBy(asc(label), asc(records.id))
      .limit(LINK_OPTIONS_LIMIT);
  }
  return options;
}

/**
 * Titles of the linked records that `rows` name: id → label. (People's names come from the
 * page's one read of all people.)
 */
export async function referenceLabels(
  db: DbOrTx,
  fields: readonly FieldDefinition[],
  rows: readonly Record<string, unknown>[],
): Promise<Record<string, string>> {
  const labels: Record<string, string> = {};
  for (const field of fields.filter((f) => f.type === "link" && f.collection)) {
    const linkIds = [
      ...new Set(rows.map((r) => r[field.key]).filter((v): v is string => typeof v === "string")),
    ].filter(isUuid);
    if (linkIds.length === 0) continue;
    const titles = await db
      .select({ id: records.id, label: titleSql(field.collection ?? "") })
      .from(records)
      .where(inArray(records.id, linkIds));
    for (const t of titles) labels[t.id] = t.label;
  }
  return labels;
}
