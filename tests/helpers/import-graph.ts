/**
 * The import graph of the packages' sources, and its cycles. Type-only imports count: a cycle of
 * types still ties two modules so that neither can be read, moved or published without the other.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";

/** Each module's file → the files it imports (relative paths and the workspace's `@tokencast/*` packages). */
export type ImportGraph = Map<string, string[]>;

const SOURCE = /\.(ts|mts|js|mjs|svelte)$/;
/** `from "x"`, `import "x"` and `import("x")`: every way a module names another. */
const SPECIFIER = /\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g;

export function importGraph(root: string, sourceDirs = ["src", "test-kit"]): ImportGraph {
  const packagesDir = path.join(root, "packages");
  const packages = readdirSync(packagesDir).map((name) => path.join(packagesDir, name));
  const exported = workspaceExports(packages);
  const files = packages.flatMap((dir) => sourceDirs.flatMap((sub) => sourcesUnder(path.join(dir, sub))));
  return new Map(files.map((file) => [file, importsOf(file, exported)]));
}

/** `@tokencast/name` and `@tokencast/name/sub` → the file that package's `exports` map names. */
function workspaceExports(packages: string[]): Map<string, string> {
  const exported = new Map<string, string>();
  for (const dir of packages.filter((d) => existsSync(path.join(d, "package.json")))) {
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    for (const [key, target] of Object.entries(manifest.exports ?? {})) {
      if (typeof target === "string") exported.set(path.join(manifest.name, key), path.join(dir, target));
    }
  }
  return exported;
}

function sourcesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((entry) => SOURCE.test(entry) && !entry.split(path.sep).includes("node_modules"))
    .map((entry) => path.join(dir, entry))
    .sort();
}

function importsOf(file: string, exported: Map<string, string>): string[] {
  const specifiers = [...readFileSync(file, "utf8").matchAll(SPECIFIER)].map((m) => m[1]!);
  const resolved = specifiers.map((s) => (s.startsWith(".") ? path.resolve(path.dirname(file), s) : exported.get(s)));
  return [...new Set(resolved.filter((target): target is string => target !== undefined && existsSync(target)))];
}

/** The first cycle found (its files in import order, the first repeated at the end), or undefined. */
export function findCycle(graph: ImportGraph): string[] | undefined {
  const done = new Set<string>();
  const visit = (file: string, trail: string[]): string[] | undefined => {
    if (trail.includes(file)) return [...trail.slice(trail.indexOf(file)), file];
    if (done.has(file)) return undefined;
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next, [...trail, file]);
      if (cycle) return cycle;
    }
    done.add(file);
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file, []);
    if (cycle) return cycle;
  }
  return undefined;
}
