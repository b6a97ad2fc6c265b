"use client";

import "./globals.css";
import { RouteError } from "@/components/route-error";

/** When the root layout itself fails: it replaces the whole document. */
export default function GlobalError(props: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main>
          <RouteError {...props} />
        </main>
      </body>
    </html>
  );
}
