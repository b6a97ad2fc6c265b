import { describe, expect, it } from "vitest";
import { PG_INT_MAX } from "@/lib/pg-int";
import {
  capacityBelowTakenMessage,
  capacityOf,
  insufficientCapacityMessage,
  MAX_SEATS_PER_REQUEST,
  seatsSchema,
} from "./seats";

describe("seatsSchema", () => {
  it("accepts whole numbers from 1 to the per-request maximum", () => {
    for (const seats of [1, 2, MAX_SEATS_PER_REQUEST]) expect(seatsSchema.safeParse(seats).success).toBe(true);
  });

  it.each([
    [0, "Reserve at least 1 seat"],
    [-3, "Reserve at least 1 seat"],
    [2.5, "Seats must be a whole number"],
    [MAX_SEATS_PER_REQUEST + 1, `At most ${MAX_SEATS_PER_REQUEST} seats per reservation`],
    ["2", "Seats must be a number"],
    [null, "Seats must be a number"],
    [Number.NaN, "Seats must be a number"],
    [Number.POSITIVE_INFINITY, "Seats must be a number"],
  ])("refuses %s with %j", (seats, message) => {
    const parsed = seatsSchema.safeParse(seats);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(message);
  });
});

describe("capacityOf", () => {
  it("reads the capacity field as whole seats, never negative", () => {
    expect(capacityOf({ capacity: 40 }, "capacity")).toBe(40);
    expect(capacityOf({ capacity: 12.9 }, "capacity")).toBe(12);
    expect(capacityOf({ capacity: -4 }, "capacity")).toBe(0);
    expect(capacityOf({ capacity: 1e12 }, "capacity")).toBe(PG_INT_MAX);
  });

  it("counts an absent or non-numeric capacity as no seats", () => {
    expect(capacityOf({}, "capacity")).toBe(0);
    expect(capacityOf({ capacity: "40" }, "capacity")).toBe(0);
    expect(capacityOf({ capacity: true }, "capacity")).toBe(0);
  });
});

describe("messages", () => {
  it("says how many seats are left", () => {
    expect(insufficientCapacityMessage(2)).toBe("Only 2 seats left.");
    expect(insufficientCapacityMessage(1)).toBe("Only 1 seat left.");
    expect(insufficientCapacityMessage(0)).toBe("No seats left.");
  });

  it("says why a capacity is too low", () => {
    expect(capacityBelowTakenMessage(12)).toBe("12 seats are already reserved; capacity cannot be lower than 12");
    expect(capacityBelowTakenMessage(1)).toBe("1 seat is already reserved; capacity cannot be lower than 1");
  });
});
