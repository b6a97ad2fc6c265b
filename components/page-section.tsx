import type { ReactNode } from "react";

/**
 * A titled part of a page (admin, settings): a section named by its heading, the look every
 * such section shares. `panel` frames it (forms); lists go unframed.
 */
export function PageSection({
  id,
  title,
  panel = false,
  children,
}: {
  id: string;
  title: ReactNode;
  panel?: boolean;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className={panel ? "panel stack" : "stack"}>
      <h2 id={id} style={{ margin: 0 }}>
        {title}
      </h2>
      {children}
    </section>
  );
}

/** A list as a table in the records' style, named by `labelledBy` (a heading's id) or `label`; one header per column. */
export function ListTable({
  columns,
  labelledBy,
  label,
  children,
}: {
  columns: readonly ReactNode[];
  labelledBy?: string;
  label?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className="records" aria-labelledby={labelledBy} aria-label={label}>
        <thead>
          <tr>
            {columns.map((column, index) => (
              // Columns are fixed per table: their position is their identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: a static header row
              <th key={index} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
