"use client";

import Link from "next/link";
import { useEffect } from "react";

/**
 * What a page shows when rendering it failed unexpectedly (the `error.tsx` of each route
 * segment): a plain message, never the error's text, and a way to try again. The error's
 * digest links the user's report to the server's log line.
 */
export function RouteError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="panel stack" role="alert">
      <h1>Something went wrong</h1>
      <p>
        This page could not be shown. Nothing you saved is lost; unsaved edits are kept in this browser.
        {error.digest ? <span className="muted small"> (Reference {error.digest})</span> : null}
      </p>
      <div className="row">
        <button type="button" className="primary" onClick={reset}>
          Try again
        </button>
        <Link href="/">Back to the collections</Link>
      </div>
    </div>
  );
}

/** The `not-found.tsx` of each route segment. */
export function NotFoundPanel({ what = "page or record" }: { what?: string }) {
  return (
    <div className="panel">
      <h1>Not found</h1>
      <p>There is no such {what}. It may have been deleted, or the link is mistyped.</p>
      <Link href="/">Back to the collections</Link>
    </div>
  );
}
