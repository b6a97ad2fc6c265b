import { NotFoundPanel } from "@/components/route-error";

export default function CollectionNotFound() {
  return <NotFoundPanel what="collection" />;
}
