import { getDatabase } from "../db/client";
import { migrateDatabase } from "../db/migrate";

const database = await getDatabase();
await migrateDatabase(database);
console.log(`Migrations applied (${database.kind}).`);
await database.close();
