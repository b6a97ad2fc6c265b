import { getDatabase } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { DEMO_USERS, demoPassword, seedDemoData } from "../lib/seed";

const database = await getDatabase();
await migrateDatabase(database);
const { seeded } = await seedDemoData(database.db);
console.log(
  seeded
    ? `Seeded demo data. Sign in as ${DEMO_USERS.map((u) => u.email).join(", ")} with password "${demoPassword()}".`
    : "The database already has users: nothing seeded.",
);
await database.close();
