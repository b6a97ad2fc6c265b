"use client";

import { RouteError } from "@/components/route-error";

/** Inside the signed-in layout (header and navigation stay). */
export default function AppErrorPage(props: { error: Error & { digest?: string }; reset: () => void }) {
  return <RouteError {...props} />;
}
