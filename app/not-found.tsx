import { NotFoundPanel } from "@/components/route-error";

export default function NotFound() {
  return (
    <main>
      <NotFoundPanel />
    </main>
  );
}
