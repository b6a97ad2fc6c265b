/**
 * "Export" on the list page: the current view (search, sort; the filter once the list has one)
 * as CSV (with a byte order mark, so spreadsheet programs read it as UTF-8) or JSON.
 */
export function ExportMenu({
  slug,
  query,
}: {
  slug: string;
  query: { q?: string | undefined; sort?: string | undefined; dir?: string | undefined; filter?: string | undefined };
}) {
  const href = (format: "csv" | "json") => {
    const params = new URLSearchParams({ format });
    if (format === "csv") params.set("bom", "1");
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
    return `/api/collections/${encodeURIComponent(slug)}/export?${params}`;
  };
  return (
    <details className="export-menu">
      <summary className="button">Export</summary>
      <div className="export-menu-items panel">
        <a href={href("csv")} download>
          Export CSV
        </a>
        <a href={href("json")} download>
          Export JSON
        </a>
      </div>
    </details>
  );
}
