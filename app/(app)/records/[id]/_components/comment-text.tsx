import { Fragment } from "react";
import { linkify, mentionedPeople } from "@/lib/mentions";
import type { UserRef } from "@/lib/records/record-view";

/**
 * A comment as plain text: React escapes every character, so markup stays text. Only http(s)
 * URLs become links (opened without the page's opener or referrer); `@Name` of a known person
 * is highlighted.
 */
export function CommentText({ body, people }: { body: string; people: readonly UserRef[] }) {
  const mentioned = mentionedPeople(body, people);
  const highlight = (text: string, key: string) => {
    if (mentioned.length === 0) return text;
    const names = mentioned.map((p) => `@${p.name}`.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const pattern = new RegExp(`(${names.join("|")})`, "giu");
    return text.split(pattern).map((part, i) =>
      i % 2 === 1 ? (
        // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable string
        <span key={`${key}-${i}`} className="mention">
          {part}
        </span>
      ) : (
        // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable string
        <Fragment key={`${key}-${i}`}>{part}</Fragment>
      ),
    );
  };
  return (
    <p className="comment-body">
      {linkify(body).map((part, i) =>
        part.kind === "link" ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable string
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable string
          <Fragment key={i}>{highlight(part.text, String(i))}</Fragment>
        ),
      )}
    </p>
  );
}
