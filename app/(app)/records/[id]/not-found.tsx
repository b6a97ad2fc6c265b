import { NotFoundPanel } from "@/components/route-error";

export default function RecordNotFound() {
  return <NotFoundPanel what="record" />;
}
