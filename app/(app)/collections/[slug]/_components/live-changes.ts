/**
 * What the writes heard since a list loaded amount to (pure, for the "N changes since you
 * loaded" banner). `listed`: the rows shown (id → version shown); `writes`: the latest write
 * heard of each record, with whether it matches the list now.
 *
 * - a shown row written since (its mark, in place) that no longer matches or was deleted: `gone`;
 * - a record not shown that matches now (created, or changed into the list): `added`;
 * - a write the server could not match (`matches` null) to a record not shown: `other`.
 * A shown row changed and still matching is only marked in place, not counted.
 */
export type ChangeSummary = { added: number; gone: number; other: number; total: number; text: string };

export function summarizeChanges(
  listed: ReadonlyMap<string, number>,
  writes: Readonly<Record<string, { version: number; matches: boolean | null }>>,
): ChangeSummary {
  let added = 0;
  let gone = 0;
  let other = 0;
  for (const [id, write] of Object.entries(writes)) {
    const shown = listed.get(id);
    if (shown !== undefined) {
      if (write.version > shown && write.matches === false) gone += 1;
    } else if (write.matches === true) added += 1;
    else if (write.matches === null) other += 1;
  }
  const parts: string[] = [];
  if (added > 0) parts.push(`${added} new ${added === 1 ? "match" : "matches"}`);
  if (gone > 0) parts.push(`${gone} no longer ${gone === 1 ? "matches" : "match"} or deleted`);
  if (other > 0) parts.push(`${other} other ${other === 1 ? "change" : "changes"}`);
  return { added, gone, other, total: added + gone + other, text: parts.join(", ") };
}
