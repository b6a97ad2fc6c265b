"use client";

import { createContext, type ReactNode, useContext } from "react";
import type { ReferenceOptions } from "@/lib/records/reference-labels";

const empty: ReferenceOptions = { people: [], links: {} };
const Context = createContext<ReferenceOptions>(empty);

/** The people and linked records that user and link inputs below it offer (loaded by the page). */
export function ReferenceOptionsProvider({ options, children }: { options: ReferenceOptions; children: ReactNode }) {
  return <Context.Provider value={options}>{children}</Context.Provider>;
}

export function useReferenceOptions(): ReferenceOptions {
  return useContext(Context);
}
