import { NotFoundPanel } from "@/components/route-error";

/** Inside the signed-in layout (header and navigation stay). */
export default function NotFound() {
  return <NotFoundPanel />;
}
