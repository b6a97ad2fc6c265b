"use client";

import { useSyncExternalStore } from "react";

/**
 * Column widths the person changed on this page (by dragging a header edge, with the arrow
 * keys on it, or in the Columns menu) before the server's next render has them: the table and
 * the Columns menu read the same ones, so saving the menu never undoes a drag. Kept per
 * collection; the saved ones live in list_preferences.
 */

export const MIN_WIDTH = 60;
export const MAX_WIDTH = 800;

type Widths = Readonly<Record<string, number | null>>;

const listeners = new Set<() => void>();
let current: { slug: string; widths: Widths } = { slug: "", widths: {} };
const EMPTY: Widths = {};

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function clampWidth(width: number): number {
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width)));
}

/** Sets (or with null: back to auto) a column's width on this page. */
export function setColumnWidth(slug: string, key: string, width: number | null): void {
  const base = current.slug === slug ? current.widths : EMPTY;
  current = { slug, widths: { ...base, [key]: width === null ? null : clampWidth(width) } };
  for (const listener of listeners) listener();
}

/** Forgets this page's changes (the server's render has them now, or they were reset). */
export function clearColumnWidths(): void {
  current = { slug: "", widths: {} };
  for (const listener of listeners) listener();
}

/** The widths changed on this page, by column key (null: auto). */
export function useColumnWidths(slug: string): Widths {
  const snapshot = useSyncExternalStore(
    subscribe,
    () => current,
    () => current,
  );
  return snapshot.slug === slug ? snapshot.widths : EMPTY;
}

/** A column's width: the one changed on this page, else the saved one. */
export function widthOf(changed: Widths, column: { key: string; width?: number | undefined }): number | undefined {
  const override = changed[column.key];
  return override === undefined ? column.width : (override ?? undefined);
}
