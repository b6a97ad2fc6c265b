import type { ActivityItem } from "@/lib/activity";
import type { CommentView } from "@/lib/comments";
import type { NotificationView } from "@/lib/notifications";
import type { RecordView, RevisionView } from "@/lib/records/record-view";

/**
 * The browser's calls for history, comments and notifications, through the app's own HTTP API
 * (same origin, session cookie). Writes answer `{ok, status, body}` so callers can tell a 412
 * (someone changed it meanwhile) from other failures.
 */

export type ApiAnswer<T> = { ok: true; status: number; body: T } | { ok: false; status: number; body: ApiErrorBody };
export type ApiErrorBody = {
  error: string;
  message: string;
  current?: RecordView;
  changes?: RevisionView[];
  fields?: Record<string, string>;
};

async function send<T>(method: string, url: string, init: { json?: unknown; ifMatch?: number } = {}) {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (init.json !== undefined) headers["Content-Type"] = "application/json";
  if (init.ifMatch !== undefined) headers["If-Match"] = `"${init.ifMatch}"`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: init.json === undefined ? null : JSON.stringify(init.json),
      cache: "no-store",
    });
  } catch {
    return {
      ok: false,
      status: 0,
      body: { error: "network", message: "The server could not be reached. Try again." },
    } as ApiAnswer<T>;
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = { error: "internal", message: `Request failed (${response.status})` };
  }
  return (
    response.ok ? { ok: true, status: response.status, body } : { ok: false, status: response.status, body }
  ) as ApiAnswer<T>;
}

async function getJson<T>(url: string): Promise<T> {
  const answer = await send<T>("GET", url);
  if (!answer.ok) throw new Error(answer.body.message);
  return answer.body;
}

const recordPath = (id: string) => `/api/records/${encodeURIComponent(id)}`;

export function restoreVersion(recordId: string, version: number, lookingAt: number) {
  return send<RecordView>("POST", `${recordPath(recordId)}/revisions/${version}/restore`, { ifMatch: lookingAt });
}

export function patchRecord(recordId: string, version: number, data: Record<string, unknown>) {
  return send<RecordView>("PATCH", recordPath(recordId), { ifMatch: version, json: { data } });
}

export function fetchComments(recordId: string): Promise<{ items: CommentView[] }> {
  return getJson(`${recordPath(recordId)}/comments`);
}

export function postComment(recordId: string, body: string) {
  return send<CommentView>("POST", `${recordPath(recordId)}/comments`, { json: { body } });
}

export function editComment(commentId: string, version: number, body: string) {
  return send<CommentView>("PATCH", `/api/comments/${encodeURIComponent(commentId)}`, {
    ifMatch: version,
    json: { body },
  });
}

export function deleteComment(commentId: string, version: number) {
  return send<null>("DELETE", `/api/comments/${encodeURIComponent(commentId)}`, { ifMatch: version });
}

export function fetchFollowing(recordId: string): Promise<{ following: boolean }> {
  return getJson(`${recordPath(recordId)}/follow`);
}

export function setFollowing(recordId: string, following: boolean) {
  return send<{ following: boolean }>("PUT", `${recordPath(recordId)}/follow`, { json: { following } });
}

export function fetchNotifications(): Promise<{ items: NotificationView[]; unread: number }> {
  return getJson("/api/notifications");
}

export function markRead(which: { ids: string[] } | { all: true }) {
  return send<null>("POST", "/api/notifications/read", { json: which });
}

export function fetchActivity(query: URLSearchParams): Promise<{ items: ActivityItem[]; nextCursor: string | null }> {
  return getJson(`/api/activity?${query.toString()}`);
}
