import { describe, expect, it } from "vitest";
import type { FieldDefinition } from "@/lib/fields";
import { fieldSortExpression, sqlLiteral } from "./list-expressions";
import { desiredListIndexes } from "./list-indexes";

const id = "2651d178-4c52-4afa-9353-05a55d9c4b10";
const status: FieldDefinition = { key: "status", label: "Status", type: "select", options: ["Open", "Closed"] };

const names = (fields: FieldDefinition[], trigram = true) =>
  desiredListIndexes({ id, fields }, { trigram }).map((i) => i.name);

describe("desiredListIndexes", () => {
  it("indexes the very expression a list sorts by, partial to the collection's live records", () => {
    const [asc] = desiredListIndexes({ id, fields: [status] }, { trigram: true });
    expect(asc?.definition).toBe(
      `create index "${asc?.name}" on records (${fieldSortExpression(null, status).sql}, id) ` +
        `where collection_id = '${id}'::uuid and deleted_at is null`,
    );
    // The query's expression is the same text on the alias `r`.
    expect(fieldSortExpression("r", status).sql).toBe(
      fieldSortExpression(null, status).sql.replaceAll("data", "r.data"),
    );
  });

  it("adds the descending index for a listed field, and nothing else", () => {
    const unlisted = names([status]);
    const listed = names([{ ...status, listed: true }]);
    expect(listed.filter((n) => !unlisted.includes(n))).toEqual([expect.stringMatching(/^rlx_status_desc_/)]);
  });

  it("names a changed expression anew (reordered options sort differently)", () => {
    const before = names([status]);
    const after = names([{ ...status, options: ["Closed", "Open"] }]);
    expect(after.some((n) => before.includes(n))).toBe(false);
    expect(names([status])).toEqual(before);
  });

  it("gives text fields a trigram index only where pg_trgm exists, and a user field its id index", () => {
    const fields: FieldDefinition[] = [
      { key: "title", label: "Title", type: "text" },
      { key: "owner", label: "Owner", type: "user" },
    ];
    expect(names(fields).filter((n) => n.includes("_trgm_"))).toHaveLength(1);
    expect(names(fields, false).filter((n) => n.includes("_trgm_"))).toHaveLength(0);
    expect(names(fields).filter((n) => n.startsWith("rlx_owner_eq_"))).toHaveLength(1);
  });

  it("quotes what it inlines", () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(() => sqlLiteral("a\u0000b")).toThrow();
    const quoted = fieldSortExpression(null, { ...status, options: ["O'Brien"] }).sql;
    expect(quoted).toContain("'O''Brien'");
  });
});
