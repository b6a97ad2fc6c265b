import { getDatabase } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { DEMO_USERS, seedDemoData } from "../lib/seed";

const database = await getDatabase();
await migrateDatabase(database);
const seeded = await seedDemoData(database.db);
console.log(
  seeded.seeded
    ? `Seeded demo data. Sign in as ${DEMO_USERS.map((u) => u.email).join(", ")} with password "${seeded.password}"${
        seeded.generated ? " (made up now and shown only this once; set DEMO_PASSWORD to choose it)" : ""
      }.`
    : "The database already has users: nothing seeded.",
);
await database.close();
