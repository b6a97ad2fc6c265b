/** The list's state lives in its URL (?view=&filter=&sort=&dir=&q=): links, back/forward and sharing work. */
export type ListParams = { view?: string; filter?: string; sort?: string; dir?: string; q?: string; cursor?: string };

export function listHref(slug: string, params: ListParams): string {
  const search = new URLSearchParams();
  for (const key of ["view", "filter", "sort", "dir", "q", "cursor"] as const) {
    const value = params[key];
    if (value) search.set(key, value);
  }
  const query = search.toString();
  return `/collections/${slug}${query ? `?${query}` : ""}`;
}
