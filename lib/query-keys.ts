/** TanStack Query keys, typed in one place. */
export const queryKeys = {
  record: (id: string) => ["record", id] as const,
  revisions: (id: string) => ["record", id, "revisions"] as const,
  reservations: (id: string) => ["record", id, "reservations"] as const,
};
