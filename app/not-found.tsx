import { connection } from "next/server";
import { NotFoundPanel } from "@/components/route-error";

export default async function NotFound() {
  // Rendered per request, so its scripts carry the Content-Security-Policy nonce (proxy.ts).
  await connection();
  return (
    <main>
      <NotFoundPanel />
    </main>
  );
}
