import { z } from "zod";
import type { RecordData } from "@/db/schema";
import { PG_INT_MAX } from "@/lib/pg-int";

/** Seat arithmetic and wording shared by the browser and the server (no database here). */

/** The most seats one request may take: a guard against typos, not a business rule. */
export const MAX_SEATS_PER_REQUEST = 10;

/** One schema for the form, the server action, the HTTP API and the domain function. */
export const seatsSchema = z
  .number({ error: "Seats must be a number" })
  .int({ error: "Seats must be a whole number" })
  .min(1, { error: "Reserve at least 1 seat" })
  .max(MAX_SEATS_PER_REQUEST, { error: `At most ${MAX_SEATS_PER_REQUEST} seats per reservation` });

/**
 * The capacity a record's data stands for. Anything but a number (absent, cleared) is 0 seats.
 * Keep in step with `capacitySql` (capacity.ts), its SQL twin.
 */
export function capacityOf(data: RecordData, capacityField: string): number {
  const value = data[capacityField];
  if (typeof value !== "number" || !Number.isFinite(value)) return 0;
  return Math.min(Math.max(Math.floor(value), 0), PG_INT_MAX);
}

export function seatsWord(n: number): string {
  return `${n} ${n === 1 ? "seat" : "seats"}`;
}

/** What a refused reservation tells the person: how many they could still have. */
export function insufficientCapacityMessage(remaining: number): string {
  return remaining <= 0 ? "No seats left." : `Only ${seatsWord(remaining)} left.`;
}

/** Why a capacity edit was refused, under the capacity field. */
export function capacityBelowTakenMessage(taken: number): string {
  return `${seatsWord(taken)} ${taken === 1 ? "is" : "are"} already reserved; capacity cannot be lower than ${taken}`;
}
