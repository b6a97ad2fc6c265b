/** A uuid as PostgreSQL writes it (any case). A leaf: every layer, the browser included, may import it. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from URLs and bodies: anything that is not a uuid names nothing (and must not reach SQL as one). */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
