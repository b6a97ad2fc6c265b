import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * One import direction, enforced (README, "Layout"): every import in the tree is parsed and
 * checked against the layers.
 *
 *   app/  →  components/  →  lib/  →  db/
 *
 * - `lib/` (the domain) imports no `app/`, no `components/`, no React and no Next.
 * - `db/` (schema, client, migrations) imports nothing of `lib/` but leaves (modules that
 *   import nothing of the tree, like the settings `lib/env.ts`) and types (`import type`,
 *   erased at run time).
 * - `components/` (shared UI) imports no `app/`: route-private parts live beside their route,
 *   and server actions are passed in.
 * - No production code imports `tests/`, `e2e/` or `scripts/`.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const LAYERS = ["app", "components", "lib", "db"] as const;
type Layer = (typeof LAYERS)[number];

/** Known offences, each with the reason it is still here; the test fails when one is gone, so the list only shrinks. */
const KNOWN: Record<string, string> = {};

type Import = { file: string; specifier: string; typeOnly: boolean };

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "migrations") out.push(...sourceFiles(rel));
    } else if (/\.(ts|tsx|mts|mjs)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
      out.push(rel);
    }
  }
  return out;
}

/** Every static import and export-from, dynamic `import()` and `require()` of a file. */
function importsOf(file: string): Import[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const allTypes =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!bindings &&
            ts.isNamedImports(bindings) &&
            bindings.elements.length > 0 &&
            bindings.elements.every((element) => element.isTypeOnly)));
      found.push({ file, specifier: node.moduleSpecifier.text, typeOnly: allTypes });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ file, specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ file, specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Where an import lands: a folder of the tree (`lib/env.ts`) or a package (`react`). */
function target(imp: Import): { local: string } | { pkg: string } {
  if (imp.specifier.startsWith("@/")) return { local: imp.specifier.slice(2) };
  if (imp.specifier.startsWith(".")) {
    return { local: path.posix.normalize(path.posix.join(path.posix.dirname(imp.file), imp.specifier)) };
  }
  const parts = imp.specifier.split("/");
  return { pkg: imp.specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? "") };
}

const layerOf = (file: string): Layer | null => LAYERS.find((layer) => file.startsWith(`${layer}/`)) ?? null;
/** The settings (lib/env.ts): every layer may import them, whatever they parse with. */
const isSettings = (local: string) => local.replace(/\.ts$/, "") === "lib/env";

/** A module of the tree that imports no other module of the tree (settings, pure helpers). */
function isLeaf(local: string): boolean {
  const file = FILES.find((f) => f.replace(/\.(ts|tsx)$/, "") === local.replace(/\.(ts|tsx)$/, ""));
  return !!file && importsOf(file).every((imp) => "pkg" in target(imp));
}

/** The rule an import breaks, or null. */
function offence(imp: Import): string | null {
  const from = layerOf(imp.file);
  const to = target(imp);
  if ("pkg" in to) {
    if (from === "lib" && ["react", "react-dom", "next", "@tanstack/react-query"].includes(to.pkg)) {
      return "lib/ imports no React or Next";
    }
    return null;
  }
  const toTop = to.local.split("/")[0];
  if (from && ["tests", "e2e", "scripts"].includes(toTop ?? ""))
    return "production code imports no tests, e2e or scripts";
  if (from === "lib" && (toTop === "app" || toTop === "components")) return "lib/ imports no app/ or components/";
  if (from === "components" && toTop === "app") return "components/ imports no app/ (pass server actions in)";
  if (from === "db" && toTop === "lib" && !imp.typeOnly && !isSettings(to.local) && !isLeaf(to.local)) {
    return "db/ imports nothing of lib/ but leaves (like lib/env.ts) and types";
  }
  return null;
}

const FILES = [...LAYERS.flatMap((layer) => sourceFiles(layer)), "instrumentation.ts"];
const IMPORTS = FILES.flatMap(importsOf);

describe("one import direction", () => {
  it("parses the tree (the check sees the files and their imports)", () => {
    expect(FILES).toContain("app/(app)/records/[id]/record-editor.tsx");
    expect(IMPORTS.some((imp) => imp.file === "db/client.ts" && imp.specifier === "@/lib/env")).toBe(true);
  });

  it("no import crosses the allowed directions (each offence listed)", () => {
    const offences = IMPORTS.flatMap((imp) => {
      const rule = offence(imp);
      const key = `${imp.file} → ${imp.specifier}`;
      return rule && !(key in KNOWN) ? [`${key}: ${rule}`] : [];
    });
    expect(offences).toEqual([]);
  });

  it("every known offence still exists (fixed ones leave the list)", () => {
    const present = new Set(IMPORTS.filter((imp) => offence(imp)).map((imp) => `${imp.file} → ${imp.specifier}`));
    expect(Object.keys(KNOWN).filter((key) => !present.has(key))).toEqual([]);
  });

  it("catches each kind of offence", () => {
    const cases: [Import, string][] = [
      [{ file: "lib/x.ts", specifier: "react", typeOnly: false }, "lib/ imports no React or Next"],
      [{ file: "lib/x.ts", specifier: "next/navigation", typeOnly: true }, "lib/ imports no React or Next"],
      [{ file: "lib/x.ts", specifier: "@/app/_lib/action", typeOnly: true }, "lib/ imports no app/ or components/"],
      [{ file: "lib/a/x.ts", specifier: "../../components/y", typeOnly: false }, "lib/ imports no app/ or components/"],
      [{ file: "components/x.ts", specifier: "@/app/(app)/records/[id]/actions", typeOnly: false }, "components/"],
      [{ file: "db/x.ts", specifier: "@/lib/records/queries", typeOnly: false }, "db/ imports nothing of lib/"],
      [{ file: "app/x.ts", specifier: "@/tests/support/api", typeOnly: false }, "production code imports no tests"],
    ];
    for (const [imp, rule] of cases) expect(offence(imp), imp.specifier).toContain(rule);
    expect(offence({ file: "db/client.ts", specifier: "@/lib/env", typeOnly: false })).toBeNull();
    expect(offence({ file: "db/client.ts", specifier: "@/lib/process-alive", typeOnly: false })).toBeNull();
    expect(offence({ file: "db/schema.ts", specifier: "@/lib/fields", typeOnly: true })).toBeNull();
    expect(offence({ file: "app/page.tsx", specifier: "@/lib/fields", typeOnly: false })).toBeNull();
  });
});

describe("a typed data layer", () => {
  it("the app's own code reads no untyped rows: no queryRows in app/, components/ or lib/", () => {
    const untyped = FILES.filter(
      (file) =>
        ["app", "components", "lib"].includes(layerOf(file) ?? "") &&
        /\bqueryRows\b/.test(fs.readFileSync(path.join(ROOT, file), "utf8")),
    );
    expect(FILES.length).toBeGreaterThan(100);
    expect(untyped).toEqual([]);
  });
});
