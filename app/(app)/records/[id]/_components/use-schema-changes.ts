"use client";

import { useEffect, useRef } from "react";
import { fetchCollection } from "@/components/api-client";
import type { FieldDefinition } from "@/lib/fields";

/**
 * Listens to the schema changes (`GET /api/schema/events`, DESIGN.md issue 11) and calls
 * `onChange` with the collection's new field definitions when they differ from the ones the
 * form shows. Checked again on every (re)connect: a change made while the stream was down is
 * not missed.
 */
export function useSchemaChanges(
  slug: string,
  shown: readonly FieldDefinition[],
  onChange: (fields: FieldDefinition[]) => void,
): void {
  const now = useRef({ shown, onChange });
  now.current = { shown, onChange };

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    let closed = false;
    const check = async () => {
      const collection = await fetchCollection(slug).catch(() => null);
      if (closed || !collection) return;
      if (JSON.stringify(collection.fields) !== JSON.stringify(now.current.shown))
        now.current.onChange(collection.fields);
    };
    const source = new EventSource("/api/schema/events");
    const onReady = () => void check();
    const onSchema = (event: MessageEvent<string>) => {
      try {
        const data = JSON.parse(event.data) as { slug?: unknown };
        if (data.slug === slug) void check();
      } catch {
        // not a schema message
      }
    };
    source.addEventListener("ready", onReady);
    source.addEventListener("schema", onSchema);
    return () => {
      closed = true;
      source.removeEventListener("ready", onReady);
      source.removeEventListener("schema", onSchema);
      source.close();
    };
  }, [slug]);
}
