/**
 * One sentence for any refused action of the people and settings pages: the domain's message,
 * field errors joined, or what a stale version means (the page reloads the list to show it).
 */
export function failureMessage(error: {
  code: string;
  message?: string;
  fields?: Record<string, string>;
  current?: { name: string; version: number };
}): string {
  if (error.code === "user_conflict" && error.current) {
    return `${error.current.name} was changed by someone else meanwhile (now version ${error.current.version}). The list shows the current values: check them and try again.`;
  }
  if (error.fields) return Object.values(error.fields).join(" ");
  return error.message ?? "That did not work. Try again.";
}
