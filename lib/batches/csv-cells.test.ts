import { describe, expect, it } from "vitest";
import type { FieldDefinition } from "@/lib/fields";
import { cellText, csvLine, parseCell } from "./csv-cells";

const text: FieldDefinition = { key: "t", label: "T", type: "text" };
const num: FieldDefinition = { key: "n", label: "N", type: "number" };
const flag: FieldDefinition = { key: "b", label: "B", type: "boolean" };
const tags: FieldDefinition = { key: "m", label: "M", type: "multiselect", options: ["a", "b; c", "d"] };

describe("CSV cells", () => {
  it.each([
    "=SUM(A1)",
    "+1",
    "-2",
    "@cmd",
    "\tx",
    "\rx",
    "'=already",
    "''+twice",
    "'plain",
    "plain",
    "a,b",
    'say "hi"',
  ])("text %j survives export and import unchanged", (value) => {
    expect(parseCell(text, cellText(value))).toBe(value);
  });

  it("writes formula-like text with one leading quote, numbers as numbers", () => {
    expect(cellText("=1+1")).toBe("'=1+1");
    expect(cellText("-x")).toBe("'-x");
    expect(cellText("'=x")).toBe("''=x");
    expect(cellText("'tis")).toBe("'tis");
    expect(cellText(-4.5)).toBe("-4.5");
    expect(parseCell(num, "-4.5")).toBe(-4.5);
    expect(parseCell(num, "abc")).toBe("abc");
    expect(parseCell(num, "")).toBeNull();
  });

  it("reads booleans and multiselect lists", () => {
    expect(parseCell(flag, cellText(true))).toBe(true);
    expect(parseCell(flag, "No")).toBe(false);
    expect(parseCell(flag, "maybe")).toBe("maybe");
    expect(cellText(["a", "d"])).toBe("a; d");
    expect(parseCell(tags, "a; d")).toEqual(["a", "d"]);
  });

  it("quotes cells as RFC 4180 says", () => {
    expect(csvLine(["x", 'say "hi"', "a,b", "two\nlines", 3])).toBe('x,"say ""hi""","a,b","two\nlines",3\r\n');
  });
});
