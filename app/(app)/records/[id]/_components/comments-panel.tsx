"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type KeyboardEvent, useId, useRef, useState } from "react";
import { deleteComment, editComment, fetchComments, postComment } from "@/components/history-api";
import { RelativeTime } from "@/components/relative-time";
import type { CommentView } from "@/lib/comments";
import { mentionQueryAt } from "@/lib/mentions";
import { queryKeys } from "@/lib/query-keys";
import type { UserRef } from "@/lib/records/record-view";
import { CommentText } from "./comment-text";

const MAX_LENGTH = 5000;

/**
 * The record's conversation, beside the form but outside it: posting never touches the record's
 * version, so it never gets in the way of anyone's save. New comments arrive live (the record's
 * event stream invalidates this list, see use-record-events.ts).
 */
export function CommentsPanel({
  recordId,
  me,
  people,
  canComment,
}: {
  recordId: string;
  me: UserRef;
  people: UserRef[];
  canComment: boolean;
}) {
  const queryClient = useQueryClient();
  const comments = useQuery({
    queryKey: queryKeys.comments(recordId),
    queryFn: () => fetchComments(recordId),
    refetchInterval: 60_000,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.comments(recordId) });
  return (
    <section className="panel" aria-labelledby="comments-title">
      <h2 id="comments-title" style={{ marginTop: 0 }}>
        Comments
      </h2>
      {comments.isPending ? <p className="muted">Loading comments…</p> : null}
      {comments.isError ? <p className="notice error">Comments could not be loaded.</p> : null}
      {comments.data && comments.data.items.length === 0 ? <p className="muted">No comments yet.</p> : null}
      <ul className="comments" aria-label="Comments">
        {(comments.data?.items ?? []).map((comment) => (
          <CommentEntry
            key={comment.id}
            comment={comment}
            mine={comment.author.id === me.id && canComment}
            people={people}
            onChanged={() => void refresh()}
          />
        ))}
      </ul>
      {canComment ? <NewComment recordId={recordId} people={people} onPosted={() => void refresh()} /> : null}
    </section>
  );
}

function CommentEntry({
  comment,
  mine,
  people,
  onChanged,
}: {
  comment: CommentView;
  mine: boolean;
  people: UserRef[];
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const remove = async () => {
    const answer = await deleteComment(comment.id, comment.version);
    if (!answer.ok) setMessage(staleOr(answer.status, answer.body.message));
    onChanged();
  };
  return (
    <li data-testid="comment">
      <div className="row small">
        <strong>{comment.author.name}</strong>
        <span className="muted">
          <RelativeTime iso={comment.createdAt} />
          {comment.edited ? " · edited" : ""}
        </span>
        <span className="spacer" />
        {mine && !editing ? (
          <>
            <button type="button" className="link small" onClick={() => setEditing(true)}>
              Edit comment
            </button>
            <button type="button" className="link small" onClick={() => void remove()}>
              Delete comment
            </button>
          </>
        ) : null}
      </div>
      {editing ? (
        <CommentForm
          label="Edit your comment"
          submitLabel="Save comment"
          initial={comment.body}
          people={people}
          onCancel={() => setEditing(false)}
          onSubmit={async (body) => {
            const answer = await editComment(comment.id, comment.version, body);
            if (answer.ok) {
              setEditing(false);
              setMessage(null);
              onChanged();
              return null;
            }
            if (answer.status === 412) onChanged();
            return staleOr(answer.status, answer.body.message);
          }}
        />
      ) : (
        <CommentText body={comment.body} people={people} />
      )}
      {message ? (
        <p role="alert" className="field-error">
          {message}
        </p>
      ) : null}
    </li>
  );
}

function staleOr(status: number, message: string): string {
  return status === 412 ? "This comment was changed elsewhere meanwhile; the latest text is shown now." : message;
}

function NewComment({ recordId, people, onPosted }: { recordId: string; people: UserRef[]; onPosted: () => void }) {
  const [key, setKey] = useState(0);
  return (
    <CommentForm
      key={key}
      label="Add a comment"
      submitLabel="Post comment"
      initial=""
      people={people}
      onSubmit={async (body) => {
        const answer = await postComment(recordId, body);
        if (!answer.ok) return answer.body.fields?.body ?? answer.body.message;
        setKey((k) => k + 1);
        onPosted();
        return null;
      }}
    />
  );
}

/** A plain-text box with @-mention autocomplete: type `@` and part of a name, pick with ↑ ↓ and Enter. */
function CommentForm({
  label,
  submitLabel,
  initial,
  people,
  onSubmit,
  onCancel,
}: {
  label: string;
  submitLabel: string;
  initial: string;
  people: UserRef[];
  onSubmit: (body: string) => Promise<string | null>;
  onCancel?: () => void;
}) {
  const id = useId();
  const [text, setText] = useState(initial);
  const [caret, setCaret] = useState(initial.length);
  const [active, setActive] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dismissed, setDismissed] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const query = mentionQueryAt(text, caret);
  const options =
    query && !dismissed
      ? people.filter((p) => p.name.toLowerCase().startsWith(query.query.toLowerCase())).slice(0, 6)
      : [];
  const pick = (person: UserRef) => {
    if (!query) return;
    const before = text.slice(0, query.start);
    const after = text.slice(caret);
    const inserted = `@${person.name} `;
    setText(before + inserted + after);
    const at = before.length + inserted.length;
    setCaret(at);
    setActive(0);
    requestAnimationFrame(() => {
      box.current?.focus();
      box.current?.setSelectionRange(at, at);
    });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (options.length === 0) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((a) => (a + step + options.length) % options.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      const person = options[Math.min(active, options.length - 1)];
      if (person) {
        event.preventDefault();
        pick(person);
      }
    } else if (event.key === "Escape") {
      setDismissed(true);
    }
  };
  const submit = async () => {
    setBusy(true);
    const problem = await onSubmit(text);
    setBusy(false);
    setError(problem);
  };
  const listId = `${id}-people`;
  return (
    <form
      className="stack"
      style={{ marginTop: "0.75rem", gap: "0.5rem" }}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-body`}>{label}</label>
        <textarea
          ref={box}
          id={`${id}-body`}
          rows={3}
          maxLength={MAX_LENGTH}
          value={text}
          aria-describedby={`${id}-hint`}
          aria-activedescendant={options.length > 0 ? `${listId}-${active}` : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setCaret(event.target.selectionStart);
            setDismissed(false);
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
        />
        {options.length > 0 ? (
          <div id={listId} role="listbox" aria-label="People to mention" className="mention-options">
            {options.map((person, i) => (
              <div
                key={person.id}
                id={`${listId}-${i}`}
                role="option"
                tabIndex={-1}
                aria-selected={i === active}
                onMouseDown={(event) => {
                  event.preventDefault();
                  pick(person);
                }}
              >
                {person.name}
              </div>
            ))}
          </div>
        ) : null}
        <span id={`${id}-hint`} className="muted small">
          Plain text, up to 5,000 characters. Type @ and a name to mention someone; they are told.
        </span>
        {error ? (
          <span role="alert" className="field-error">
            {error}
          </span>
        ) : null}
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={busy || text.trim() === ""}>
          {submitLabel}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
