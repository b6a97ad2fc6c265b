/** TanStack Query keys, typed in one place. */
export const queryKeys = {
  record: (id: string) => ["record", id] as const,
  revisions: (id: string) => ["record", id, "revisions"] as const,
  revision: (id: string, version: number) => ["record", id, "revision", version] as const,
  reservations: (id: string) => ["record", id, "reservations"] as const,
  comments: (id: string) => ["record", id, "comments"] as const,
  following: (id: string) => ["record", id, "following"] as const,
  notifications: () => ["notifications"] as const,
  activity: (filters: Record<string, string>) => ["activity", filters] as const,
};
