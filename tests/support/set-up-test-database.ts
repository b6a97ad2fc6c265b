import { afterAll, beforeAll } from "vitest";
import type { EditMode, Role } from "@/db/schema";
import type { CollectionView } from "@/lib/collections";
import type { FieldDefinition } from "@/lib/fields";
import { closeRouteDatabase, useDatabaseInRoutes } from "./api";
import { createCollection, createTestDatabase, createUser, type TestDatabase, type TestUser } from "./test-database";

type UserSpec = { name?: string; role?: Role; password?: string };
type CollectionSpec = { fields: FieldDefinition[]; name?: string; slug?: string; editMode?: EditMode };

/** What `setUpTestDatabase` made: filled in by its `beforeAll`, so read it inside hooks and tests. */
export type TestSetup<U extends string, C extends string> = {
  database: TestDatabase;
  users: Record<U, TestUser>;
  collections: Record<C, CollectionView>;
};

/**
 * The setup most integration files share: before all tests a fresh database (the route handlers
 * use it), then the named collections and users, created one after the
 * other in the order given; after all, the route handlers let go of it and it is dropped.
 */
export function setUpTestDatabase<U extends string = never, C extends string = never>(options: {
  max?: number;
  collections?: Record<C, CollectionSpec>;
  users?: Record<U, UserSpec>;
}): TestSetup<U, C> {
  const setup = { users: {}, collections: {} } as TestSetup<U, C>;
  beforeAll(async () => {
    setup.database = await createTestDatabase(options.max === undefined ? {} : { max: options.max });
    useDatabaseInRoutes(setup.database);
    for (const [key, spec] of Object.entries<CollectionSpec>(
      options.collections ?? ({} as Record<C, CollectionSpec>),
    )) {
      setup.collections[key as C] = await createCollection(setup.database.db, spec);
    }
    for (const [key, spec] of Object.entries<UserSpec>(options.users ?? ({} as Record<U, UserSpec>))) {
      setup.users[key as U] = await createUser(setup.database.db, spec);
    }
  });
  afterAll(async () => {
    await closeRouteDatabase();
    await setup.database?.drop();
  });
  return setup;
}
