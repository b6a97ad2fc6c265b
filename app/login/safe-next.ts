/**
 * Where to go after signing in: a path on this site, or "/". A value starting with "//" or
 * "/\" is a link to another site (browsers read a backslash as a slash), and control
 * characters (a tab or newline is dropped by URL parsing) could smuggle either in.
 */
export function safeNext(value: unknown): string {
  if (typeof value !== "string") return "/";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (!/^\/(?![/\\])/.test(value) || /[\u0000-\u001f\u007f]/.test(value)) return "/";
  return value;
}
