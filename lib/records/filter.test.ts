import { describe, expect, it } from "vitest";
import type { FieldDefinition } from "@/lib/fields";
import { FILTER_LIMITS, parseFilter, parseFilterParam } from "./filter";

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text" },
  { key: "status", label: "Status", type: "select", options: ["Open", "Closed"] },
  { key: "tags", label: "Tags", type: "multiselect", options: ["a", "b"] },
  { key: "rank", label: "Rank", type: "integer" },
  { key: "price", label: "Price", type: "number" },
  { key: "due", label: "Due", type: "date" },
  { key: "done", label: "Done", type: "boolean" },
  { key: "owner", label: "Owner", type: "user" },
  { key: "parent", label: "Parent", type: "link", collection: "x" },
];
const ME = "11111111-2222-4333-8444-555555555555";
const context = { fields: FIELDS, me: ME };

const problem = (input: unknown) => {
  const result = parseFilter(input, context);
  return result.ok ? null : result.error.message;
};

describe("parseFilter", () => {
  it("parses conditions into a typed tree, ANDed, with one level of _or", () => {
    const result = parseFilter(
      {
        status: { _eq: "Open" },
        rank: { _gte: 1, _lt: 5 },
        _or: [{ owner: { _eq: "$me" } }, { createdBy: { _in: ["$me"] }, done: { _empty: true } }],
      },
      context,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.filter.all.map((c) => [c.target.key, c.op, c.value])).toEqual([
      ["status", "_eq", "Open"],
      ["rank", "_gte", 1],
      ["rank", "_lt", 5],
    ]);
    expect(result.filter.any.map((group) => group.map((c) => [c.target.key, c.op, c.value]))).toEqual([
      [["owner", "_eq", ME]],
      [
        ["createdBy", "_in", [ME]],
        ["done", "_empty", true],
      ],
    ]);
  });

  it.each([
    [{ nope: { _eq: 1 } }, 'unknown key "nope"'],
    [{ title: { _like: "x" } }, 'unknown op "_like" on "title"'],
    [{ status: "Open" }, '"status" needs an op object'],
    [{ status: {} }, '"status" needs an op object'],
    [{ rank: { _eq: "5" } }, '"rank" _eq must be a whole number'],
    [{ rank: { _eq: 2.5 } }, '"rank" _eq must be a whole number'],
    [{ price: { _gt: "1" } }, '"price" _gt must be a number'],
    [{ due: { _lt: "2026-02-30" } }, '"due" _lt must be a date'],
    [{ done: { _eq: "true" } }, '"done" _eq must be true or false'],
    [{ owner: { _eq: "bob" } }, '"owner" _eq must be a person\'s id'],
    [{ parent: { _eq: "$me" } }, '"parent" _eq must be a record id'],
    [{ title: { _in: "x" } }, '"title" _in must be a list'],
    [{ title: { _empty: "yes" } }, '"title" _empty must be true or false'],
    [{ title: { _lt: "x" } }, 'op "_lt" does not apply to "title"'],
    [{ tags: { _eq: "a" } }, 'op "_eq" does not apply to "tags"'],
    [{ updatedAt: { _gt: "yesterday" } }, '"updatedAt" _gt must be an ISO timestamp'],
    [{ updatedBy: { _contains: "x" } }, 'op "_contains" does not apply to "updatedBy"'],
    [{ _or: [{ _or: [{ title: { _eq: "x" } }] }] }, "_or goes one level deep"],
    [{ _or: [] }, '"_or" must be a non-empty list'],
    [{ _or: {} }, '"_or" must be a non-empty list'],
    [{ _or: [{ nope: { _eq: 1 } }] }, 'unknown key "_or.0.nope"'],
    [{ title: { _eq: "a\u0000b" } }, '"title" _eq must be text'],
    [{ title: { _eq: "\ud800" } }, '"title" _eq must be text'],
    [[], "filter must be a JSON object"],
    [JSON.parse('{"__proto__": {"_eq": 1}}'), 'unknown key "__proto__"'],
  ])("refuses %j naming the problem", (input, message) => {
    expect(problem(input)).toContain(message);
  });

  it("bounds the filter: list sizes, conditions, groups and text", () => {
    expect(problem({ title: { _in: Array.from({ length: FILTER_LIMITS.listItems + 1 }, () => "x") } })).toContain(
      "at most",
    );
    const many = Object.fromEntries(FIELDS.map((f) => [f.key, { _empty: true }]));
    const groups = Array.from({ length: 12 }, () => many);
    expect(problem({ _or: groups })).toContain(`more than ${FILTER_LIMITS.conditions} conditions`);
    expect(problem({ _or: Array.from({ length: 21 }, () => ({ title: { _eq: "x" } })) })).toContain(
      "more than 20 groups",
    );
    expect(problem({ title: { _contains: "x".repeat(501) } })).toContain("at most 500 characters");
  });
});

describe("parseFilterParam", () => {
  it("refuses text that is not JSON, and text over the limit", () => {
    const bad = parseFilterParam("{status", context);
    expect(bad.ok ? null : bad.error.message).toBe("filter is not valid JSON");
    const long = parseFilterParam(" ".repeat(FILTER_LIMITS.chars + 1), context);
    expect(long.ok ? null : long.error.message).toContain("longer than");
  });
});
