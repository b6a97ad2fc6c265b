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
    passwordHash: text("password_hash").notNull(),
    createdAt: createdAt(),
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
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);
export type Session = typeof sessions.$inferSelect;

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
  createdAt: createdAt(),
});
export type Collection = typeof collections.$inferSelect;

export type RecordData = Record<string, string | number | boolean>;

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
    check("records_version_positive", sql`${t.version} >= 1`),
  ],
);
export type RecordRow = typeof records.$inferSelect;

export const REVISION_ACTIONS = ["create", "update", "merge", "overwrite", "delete", "restore"] as const;
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
  },
  (t) => [
    primaryKey({ columns: [t.recordId, t.version] }),
    uniqueIndex("revisions_user_save_id_idx").on(t.userId, t.saveId).where(sql`${t.saveId} is not null`),
  ],
);
export type Revision = typeof revisions.$inferSelect;

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

export const LEASE_EVENT_ACTIONS = ["takeover", "break"] as const;
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
  (t) => [index("presence_record_idx").on(t.recordId)],
);
