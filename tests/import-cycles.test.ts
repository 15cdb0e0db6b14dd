/**
 * No import cycle among the packages' sources (type-only imports included), and the check itself
 * finds one when it is there.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { findCycle, importGraph } from "./helpers/import-graph.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const scratch: string[] = [];

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway repository: `files` maps paths under it to their text. */
function repository(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "import-cycles-"));
  scratch.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

const relative = (cycle: string[] | undefined, root: string) => cycle?.map((file) => path.relative(root, file));

describe("import cycles", () => {
  it("there are none among packages/*/src and packages/*/test-kit", () => {
    expect(relative(findCycle(importGraph(ROOT)), ROOT)).toBeUndefined();
  });

  it("a type-only cycle over multi-line imports is found, in order", () => {
    const root = repository({
      "packages/p/src/a.ts": 'import type {\n  B,\n} from "./b.ts";\nexport interface A { b: B }\n',
      "packages/p/src/b.ts": 'import { c } from "./nested/c.ts";\nexport interface B { c: typeof c }\n',
      "packages/p/src/nested/c.ts": 'export type { A } from "../a.ts";\nexport const c = 1;\n',
    });
    expect(relative(findCycle(importGraph(root)), root)).toEqual([
      "packages/p/src/a.ts",
      "packages/p/src/b.ts",
      "packages/p/src/nested/c.ts",
      "packages/p/src/a.ts",
    ]);
  });

  it("a cycle through a workspace package's exports is found; a chain without one is not", () => {
    const root = repository({
      "packages/p/package.json": JSON.stringify({ name: "@x/p", exports: { ".": "./src/index.ts" } }),
      "packages/p/src/index.ts": 'export * from "./a.ts";\n',
      "packages/p/src/a.ts": 'import "@x/q";\nexport const a = 1;\n',
      "packages/q/package.json": JSON.stringify({ name: "@x/q", exports: { "./sub": "./src/sub.ts" } }),
      "packages/q/src/sub.ts": 'import("zod");\nexport const q = 1;\n',
      "packages/q/src/index.ts": 'const p = await import("@x/p");\nexport { p };\n',
    });
    expect(findCycle(importGraph(root))).toBeUndefined();
    writeFileSync(path.join(root, "packages/q/src/sub.ts"), 'import { a } from "@x/p";\nexport const q = a;\n');
    writeFileSync(path.join(root, "packages/p/src/a.ts"), 'import "@x/q/sub";\nexport const a = 1;\n');
    expect(relative(findCycle(importGraph(root)), root)).toEqual([
      "packages/p/src/a.ts",
      "packages/q/src/sub.ts",
      "packages/p/src/index.ts",
      "packages/p/src/a.ts",
    ]);
  });
});
