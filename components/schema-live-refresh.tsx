"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Keeps a page that lists or shows collections current: on every schema change (any admin, any
 * app instance: GET /api/schema/events) the page's server data is fetched again. `onChange`,
 * when given, is told instead (the schema editor decides itself what a change means).
 */
export function SchemaLiveRefresh({ onChange }: { onChange?: (event: { slug: string; version: number }) => void }) {
  const router = useRouter();
  useEffect(() => {
    const source = new EventSource("/api/schema/events");
    const handle = (message: MessageEvent<string>) => {
      try {
        const event = JSON.parse(message.data) as { slug: string; version: number };
        if (onChange) onChange(event);
        else router.refresh();
      } catch {
        // a malformed event changes nothing
      }
    };
    source.addEventListener("schema", handle);
    return () => {
      source.removeEventListener("schema", handle);
      source.close();
    };
  }, [router, onChange]);
  return null;
}
