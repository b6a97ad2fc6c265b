/**
 * The largest PostgreSQL `integer` (versions, capacities, seat counts): a value above it must
 * be refused where it enters, never sent to SQL (where it would fail as a 500). A leaf.
 */
export const PG_INT_MAX = 2_147_483_647;
