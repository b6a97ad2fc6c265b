import Link from "next/link";
import { connection } from "next/server";

export default async function NotFound() {
  // Rendered per request, so its scripts carry the Content-Security-Policy nonce (proxy.ts).
  await connection();
  return (
    <main>
      <div className="panel">
        <h1>Not found</h1>
        <p>There is no such page or record. It may have been deleted, or the link is mistyped.</p>
        <Link href="/">Back to the collections</Link>
      </div>
    </main>
  );
}
