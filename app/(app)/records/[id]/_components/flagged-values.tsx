import type { FieldDefinition } from "@/lib/fields";

/**
 * Values a schema change left behind (guarantee 11): kept in the record, shown here with why
 * they no longer fit. Saving other fields works as before; changing one of these needs a value
 * that fits.
 */
export function FlaggedValues({
  fields,
  invalid,
}: {
  fields: readonly FieldDefinition[];
  invalid: Readonly<Record<string, string>>;
}) {
  const entries = Object.entries(invalid);
  if (entries.length === 0) return null;
  return (
    <section className="notice warn" aria-labelledby="flagged-title" data-testid="flagged-values">
      <h2 id="flagged-title" style={{ margin: 0, fontSize: "1rem" }}>
        Some values no longer fit this collection's fields
      </h2>
      <p className="small" style={{ margin: "0.25rem 0" }}>
        They are kept as they are. You can still save other fields; to change one of these, give it a value that fits.
      </p>
      <ul className="small" style={{ margin: 0 }}>
        {entries.map(([key, message]) => (
          <li key={key}>
            <strong>{fields.find((f) => f.key === key)?.label ?? key}</strong>: {message}
          </li>
        ))}
      </ul>
    </section>
  );
}
