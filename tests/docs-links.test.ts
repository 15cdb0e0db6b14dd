/**
 * The README and docs explain the project on their own: every relative link in them must reach a
 * file of the repository, and every `#anchor` a heading of the file it points to (GitHub's slugs).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DOCS = [
  "README.md",
  "BENCHMARKS.md",
  "bench/README.md",
  "packages/protocol/README.md",
  "packages/sdk/README.md",
  ...readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, "")
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slugOf(m[1]!)));
}

/** Relative links `[text](target)` outside code blocks. */
function linksOf(file: string): string[] {
  const text = readFileSync(file, "utf8")
    .replace(/```[\s\S]*?```/g, "")
    .replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/i.test(target));
}

describe("links in the README and docs", () => {
  it.each(DOCS)("%s: every relative link and anchor resolves", (doc) => {
    const broken: string[] = [];
    for (const link of linksOf(path.join(ROOT, doc))) {
      const [target = "", anchor] = link.split("#");
      const file =
        target === ""
          ? path.join(ROOT, doc)
          : path.resolve(path.dirname(path.join(ROOT, doc)), decodeURIComponent(target));
      if (!existsSync(file)) broken.push(`${link}: no such file`);
      else if (anchor && file.endsWith(".md") && !anchorsOf(file).has(anchor)) broken.push(`${link}: no such heading`);
    }
    expect(broken).toEqual([]);
  });
});
