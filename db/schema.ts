import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { BatchItemResult, BatchSummary } from "@/lib/batches/apply-batch";
import type { FieldDefinition } from "@/lib/fields";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const ROLES = ["viewer", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    role: text("role").$type<Role>().notNull(),
    /** Null until an invited person sets a password (`invites`). */
    passwordHash: text("password_hash"),
    /** A deactivated person signs in nowhere; their sessions and tokens stop (guarantee 12). */
    active: boolean("active").notNull().default(true),
    /** People are versioned like records: every accepted change is one compare-and-set. */
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }),
  },
  (t) => [check("users_role_check", sql`${t.role} in ('viewer', 'editor', 'admin')`)],
);
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

/** A session's id is the SHA-256 of the random token in the cookie: a leaked table is no login. */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Touched (at most once a minute) by each authenticated request: the idle timeout and "last seen". */
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    /** The browser or client that signed in, shown in /settings' list of sessions. */
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);
export type Session = typeof sessions.$inferSelect;

export const TOKEN_SCOPES = ["read", "write"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Personal API tokens for scripts: stored hashed (like sessions), shown once, revocable. */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    scope: text("scope").$type<TokenScope>().notNull(),
    /** SHA-256 of the whole token. */
    tokenHash: text("token_hash").notNull().unique(),
    /** The token's first characters (after its `tdm_` prefix), to recognise it in a list. */
    prefix: text("prefix").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /** `Idempotency-Key` of the request that made it: a repeat answers this token (without its secret). */
    requestKey: text("request_key"),
    /** A digest of that request's body: the same key with another body is refused. */
    requestHash: text("request_hash"),
  },
  (t) => [
    index("api_tokens_user_idx").on(t.userId),
    uniqueIndex("api_tokens_user_request_key_idx").on(t.userId, t.requestKey).where(sql`${t.requestKey} is not null`),
    check("api_tokens_scope_check", sql`${t.scope} in ('read', 'write')`),
  ],
);
export type ApiToken = typeof apiTokens.$inferSelect;

export const INVITE_KINDS = ["invite", "reset"] as const;
export type InviteKind = (typeof INVITE_KINDS)[number];

/** One-time links to set a password: an invitation or a reset. Only the token's hash is stored. */
export const invites = pgTable(
  "invites",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").$type<InviteKind>().notNull(),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [index("invites_user_idx").on(t.userId)],
);
export type Invite = typeof invites.$inferSelect;

/** Failed sign-ins per key (an email or a client address) in the current window. */
export const loginThrottle = pgTable("login_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  windowStartedAt: timestamp("window_started_at", { withTimezone: true }).notNull(),
});

export const EDIT_MODES = ["optimistic", "lease"] as const;
export type EditMode = (typeof EDIT_MODES)[number];

export const collections = pgTable("collections", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  fields: jsonb("fields").$type<FieldDefinition[]>().notNull(),
  editMode: text("edit_mode").$type<EditMode>().notNull().default("optimistic"),
  /** The integer field that caps reservations (events: "capacity"); null when records take none. */
  capacityField: text("capacity_field"),
  /**
   * Fields an admin removed: their values stay in the records (hidden), and adding the same
   * key again brings them back (guarantee 11). The schema editor offers them for restoring.
   */
  removedFields: jsonb("removed_fields").$type<FieldDefinition[]>().notNull().default([]),
  /** The schema is versioned like a record: one compare-and-set and one revision per change. */
  version: integer("version").notNull().default(1),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid("updated_by").references(() => users.id),
});
export type Collection = typeof collections.$inferSelect;

/** A stored value: multiselect holds an array of its options; user and link hold ids. */
export type StoredValue = string | number | boolean | string[];
export type RecordData = Record<string, StoredValue>;

export const records = pgTable(
  "records",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    collectionId: uuid("collection_id")
      .notNull()
      .references(() => collections.id),
    data: jsonb("data").$type<RecordData>().notNull(),
    version: integer("version").notNull(),
    /** Lower-cased text of the searchable fields, kept in step with data by every write. */
    searchText: text("search_text").notNull().default(""),
    createdAt: createdAt(),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid("updated_by")
      .notNull()
      .references(() => users.id),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    deletedBy: uuid("deleted_by").references(() => users.id),
  },
  (t) => [
    index("records_collection_updated_idx").on(t.collectionId, t.updatedAt, t.id),
    index("records_collection_created_idx").on(t.collectionId, t.createdAt, t.id),
    // Lists filtered by who changed or made a record ("changed by me"), and sorted by their
    // name: lib/records/list-records.ts walks each person's records in id order.
    index("records_collection_updated_by_idx").on(t.collectionId, t.updatedBy, t.id),
    index("records_collection_created_by_idx").on(t.collectionId, t.createdBy, t.id),
    check("records_version_positive", sql`${t.version} >= 1`),
  ],
);
export type RecordRow = typeof records.$inferSelect;

export const REVISION_ACTIONS = ["create", "update", "merge", "overwrite", "delete", "restore", "revert"] as const;
export type RevisionAction = (typeof REVISION_ACTIONS)[number];

export type FieldChange = { from: unknown; to: unknown };
export type FieldChanges = Record<string, FieldChange>;

export const revisions = pgTable(
  "revisions",
  {
    recordId: uuid("record_id")
      .notNull()
      .references(() => records.id),
    version: integer("version").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    action: text("action").$type<RevisionAction>().notNull(),
    changes: jsonb("changes").$type<FieldChanges>().notNull(),
    snapshot: jsonb("snapshot").$type<RecordData>().notNull(),
    /** The client-made id of the save that wrote this revision: a repeat returns this outcome. */
    saveId: text("save_id"),
    /** The bulk edit, import or undo this write was part of; null for a single write. */
    batchId: uuid("batch_id"),
    /** For action `revert`: the version whose values it brought back. */
    revertedFrom: integer("reverted_from"),
  },
  (t) => [
    primaryKey({ columns: [t.recordId, t.version] }),
    uniqueIndex("revisions_user_save_id_idx").on(t.userId, t.saveId).where(sql`${t.saveId} is not null`),
    index("revisions_batch_idx").on(t.batchId).where(sql`${t.batchId} is not null`),
    index("revisions_at_idx").on(t.at, t.recordId, t.version),
    index("revisions_user_at_idx").on(t.userId, t.at),
  ],
);
export type Revision = typeof revisions.$inferSelect;

export const ENTITY_KINDS = ["collection", "user", "view", "comment"] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/**
 * Revisions of everything versioned that is not a record: collections (schema), people,
 * shared views and comments. Same rule as records: one accepted write = one revision, in the
 * same statement as the compare-and-set; versions 1, 2, 3, … per entity.
 */
export const entityRevisions = pgTable(
  "entity_revisions",
  {
    kind: text("kind").$type<EntityKind>().notNull(),
    entityId: uuid("entity_id").notNull(),
    version: integer("version").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    action: text("action").notNull(),
    changes: jsonb("changes").$type<FieldChanges>().notNull(),
    snapshot: jsonb("snapshot").$type<Record<string, unknown>>().notNull(),
    saveId: text("save_id"),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.entityId, t.version] }),
    uniqueIndex("entity_revisions_user_save_id_idx").on(t.userId, t.saveId).where(sql`${t.saveId} is not null`),
  ],
);
export type EntityRevision = typeof entityRevisions.$inferSelect;

/** Saved list views: a filter, a sort and columns; personal, or shared (versioned). */
export const views = pgTable(
  "views",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    collectionId: uuid("collection_id")
      .notNull()
      .references(() => collections.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    name: text("name").notNull(),
    shared: boolean("shared").notNull().default(false),
    filter: jsonb("filter").$type<Record<string, unknown>>().notNull().default({}),
    sort: text("sort"),
    dir: text("dir").$type<"asc" | "desc">(),
    columns: jsonb("columns").$type<string[]>(),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid("updated_by")
      .notNull()
      .references(() => users.id),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [index("views_collection_idx").on(t.collectionId, t.userId)],
);
export type View = typeof views.$inferSelect;

/** Per person and collection: chosen columns (order, widths) and the default view. */
export const listPreferences = pgTable(
  "list_preferences",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    collectionId: uuid("collection_id")
      .notNull()
      .references(() => collections.id),
    columns: jsonb("columns").$type<{ key: string; width?: number }[]>(),
    defaultViewId: uuid("default_view_id"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.collectionId] })],
);

export const BATCH_KINDS = ["bulk", "import", "undo"] as const;
export type BatchKind = (typeof BATCH_KINDS)[number];

/** A bulk edit, an import or an undo: who, when, and one result per item (guarantee 10). */
export const batches = pgTable(
  "batches",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    collectionId: uuid("collection_id")
      .notNull()
      .references(() => collections.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind").$type<BatchKind>().notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    summary: jsonb("summary").$type<BatchSummary>().notNull(),
    results: jsonb("results").$type<BatchItemResult[]>().notNull(),
    /** For kind `undo`: the batch it undid. */
    undoes: uuid("undoes"),
    /** `Idempotency-Key` of the request that made it: a repeat returns this batch. */
    requestKey: text("request_key"),
    /** SHA-256 of the request's body: the same key with another body is refused, not replayed. */
    requestHash: text("request_hash"),
  },
  (t) => [
    index("batches_user_idx").on(t.userId, t.at),
    uniqueIndex("batches_user_request_key_idx").on(t.userId, t.requestKey).where(sql`${t.requestKey} is not null`),
  ],
);
export type Batch = typeof batches.$inferSelect;

export const NOTIFICATION_KINDS = ["overwritten", "lease_taken", "restored", "mention"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Written in the same transaction as the write that causes it: none lost, none invented. */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").$type<NotificationKind>().notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    recordId: uuid("record_id").references(() => records.id),
    /** Who caused it. */
    actorId: uuid("actor_id").references(() => users.id),
    message: text("message").notNull(),
    fields: jsonb("fields").$type<string[]>().notNull().default([]),
    /** Kind-specific details: the record version, mine vs theirs values, the lease reason, … */
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    readAt: timestamp("read_at", { withTimezone: true }),
  },
  (t) => [index("notifications_user_idx").on(t.userId, t.at)],
);
export type Notification = typeof notifications.$inferSelect;

/** Who follows a record (created, edited or commented on it, or chose to). */
export const follows = pgTable(
  "follows",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    recordId: uuid("record_id")
      .notNull()
      .references(() => records.id),
    /** False when the person unfollowed: an edit then does not follow them again. */
    following: boolean("following").notNull().default(true),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.recordId] }), index("follows_record_idx").on(t.recordId)],
);

/** A conversation on a record, outside its versioned data: a comment never bumps the record. */
export const comments = pgTable(
  "comments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    recordId: uuid("record_id")
      .notNull()
      .references(() => records.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    body: text("body").notNull(),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [index("comments_record_idx").on(t.recordId, t.createdAt)],
);
export type Comment = typeof comments.$inferSelect;

/**
 * Seats taken per record that takes reservations. Kept outside the versioned `data`, so a
 * reservation never makes a form conflict; `capacity` mirrors the record's capacity field
 * and is written in the same statement as the record. The CHECK is the last line of defence.
 */
export const recordCapacity = pgTable(
  "record_capacity",
  {
    recordId: uuid("record_id")
      .primaryKey()
      .references(() => records.id),
    capacity: integer("capacity").notNull(),
    taken: integer("taken").notNull().default(0),
  },
  (t) => [check("record_capacity_taken_within", sql`${t.taken} >= 0 and ${t.taken} <= ${t.capacity}`)],
);

export const reservations = pgTable(
  "reservations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    recordId: uuid("record_id")
      .notNull()
      .references(() => records.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    seats: integer("seats").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
    cancelledBy: uuid("cancelled_by").references(() => users.id),
    /** Client-made id: a repeated reservation request returns the first outcome. */
    requestId: text("request_id"),
  },
  (t) => [
    index("reservations_record_idx").on(t.recordId, t.at),
    check("reservations_seats_positive", sql`${t.seats} > 0`),
    uniqueIndex("reservations_user_request_idx").on(t.userId, t.requestId).where(sql`${t.requestId} is not null`),
  ],
);
export type Reservation = typeof reservations.$inferSelect;

/** At most one holder per record: the primary key is the lock. */
export const leases = pgTable("leases", {
  recordId: uuid("record_id")
    .primaryKey()
    .references(() => records.id),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id),
  acquiredAt: timestamp("acquired_at", { withTimezone: true }).notNull().defaultNow(),
  renewedAt: timestamp("renewed_at", { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  /**
   * The browser tab (a token it makes) that holds the lease for its user; null when taken
   * through the API. Another tab of the same user does not renew or release it.
   */
  tab: uuid("tab"),
});
export type Lease = typeof leases.$inferSelect;

export const LEASE_EVENT_ACTIONS = ["takeover", "break", "deactivated"] as const;
export type LeaseEventAction = (typeof LEASE_EVENT_ACTIONS)[number];

/** Every take-over and break of a lease: who, whose, when and why. */
export const leaseEvents = pgTable(
  "lease_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    recordId: uuid("record_id")
      .notNull()
      .references(() => records.id),
    action: text("action").$type<LeaseEventAction>().notNull(),
    actorId: uuid("actor_id")
      .notNull()
      .references(() => users.id),
    previousHolderId: uuid("previous_holder_id").references(() => users.id),
    reason: text("reason"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("lease_events_record_idx").on(t.recordId, t.at)],
);

/**
 * Who has a record open right now: one row per open event stream (a browser tab), touched by
 * the stream's ping and deleted when it closes. A row whose process died goes stale and is
 * removed by the next ping of anyone else watching that record (lib/presence.ts).
 */
export const presence = pgTable(
  "presence",
  {
    id: uuid("id").primaryKey(),
    recordId: uuid("record_id")
      .notNull()
      .references(() => records.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    /** The tab has unsaved edits. */
    editing: boolean("editing").notNull().default(false),
    since: timestamp("since", { withTimezone: true }).notNull().defaultNow(),
    seenAt: timestamp("seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("presence_record_idx").on(t.recordId),
    // A person's fresh streams, counted at every open (the MAX_STREAMS_PER_USER cap).
    index("presence_user_seen_idx").on(t.userId, t.seenAt),
  ],
);

/**
 * Who has a collection's list open: one row per open list event stream, touched by its ping,
 * deleted when it closes, stale after 45 s. The revision trigger notifies writes to a
 * collection with a row here (as it does for records with a `presence` row), so writes
 * nobody watches skip NOTIFY and its commit-serialising lock.
 */
export const listWatchers = pgTable(
  "list_watchers",
  {
    id: uuid("id").primaryKey(),
    collectionId: uuid("collection_id")
      .notNull()
      .references(() => collections.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    seenAt: timestamp("seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("list_watchers_collection_idx").on(t.collectionId)],
);
