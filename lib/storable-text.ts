/**
 * Text PostgreSQL cannot store: a NUL character, or an unpaired UTF-16 surrogate (JSON's
 * "\ud800" parses to one; jsonb refuses it, and text turns it into U+FFFD). Anything a client
 * sends is checked for these at the edge, so they answer 400/422 instead of failing in SQL.
 */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && !LONE_SURROGATE.test(text);
}
