import type { ViewJson } from "@/lib/views/views";

/** The saved views menu's pure pieces: who may edit a view, the default-view label, the API call. */

export type ViewSettings = {
  filter: Record<string, unknown>;
  sort: string | null;
  dir: "asc" | "desc" | null;
  columns: string[] | null;
};

/** A 412 answer: the view as it is now and who changed it since. */
export type ViewConflict = {
  current: ViewJson;
  changes: { user: { name: string }; at: string; changes: Record<string, unknown> }[];
};

type Owned = Pick<ViewJson, "shared"> & { owner: { id: string } };

/** Its owner edits a view; a shared one, an admin too. */
export function canEditView(view: Owned | null, me: { id: string; role: string }): boolean {
  return view !== null && (view.shared ? view.owner.id === me.id || me.role === "admin" : view.owner.id === me.id);
}

/** The "open by default" link's label, or null when there is nothing to offer. */
export function defaultViewLabel(activeId: string | null, defaultViewId: string | null): string | null {
  return activeId !== null && defaultViewId === activeId
    ? "Stop opening this view by default"
    : activeId !== null
      ? "Open this view by default"
      : defaultViewId
        ? "Open all records by default"
        : null;
}

export async function sendView(method: string, url: string, body?: unknown, ifMatch?: number) {
  const response = await fetch(url, {
    method,
    headers: {
      "Content-Type": "application/json",
      ...(ifMatch === undefined ? {} : { "If-Match": `"${ifMatch}"` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: API bodies are read field by field
  const json: any = text ? JSON.parse(text) : null;
  return { status: response.status, body: json };
}
