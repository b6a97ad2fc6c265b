"use client";

import { useCallback, useEffect, useRef } from "react";
import { fetchCollection } from "@/components/api-client";
import type { FieldDefinition } from "@/lib/fields";

/**
 * The collection's fields as the server has them now (DESIGN.md issue 11): returns `check`,
 * which reads the collection and calls `onChange` with its field definitions when they differ
 * from the ones the form shows. The record's event stream calls it when it (re)connects and
 * on every `schema` event of this collection (use-record-events.ts), so the page opens no
 * stream of its own (a browser allows six connections per origin, shared by its tabs).
 */
export function useSchemaChanges(
  slug: string,
  shown: readonly FieldDefinition[],
  onChange: (fields: FieldDefinition[]) => void,
): (changedSlug?: string) => void {
  const now = useRef({ shown, onChange });
  now.current = { shown, onChange };
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  return useCallback(
    (changedSlug?: string) => {
      if (changedSlug !== undefined && changedSlug !== slug) return;
      void fetchCollection(slug)
        .catch(() => null)
        .then((collection) => {
          if (!alive.current || !collection) return;
          if (JSON.stringify(collection.fields) !== JSON.stringify(now.current.shown)) {
            now.current.onChange(collection.fields);
          }
        });
    },
    [slug],
  );
}
