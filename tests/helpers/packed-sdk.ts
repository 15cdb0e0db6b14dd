/**
 * The SDK as a user installs it: `pnpm pack` of @tokencast/protocol and @tokencast/sdk (their
 * prepack builds dist/), extracted into a temporary node_modules, with their runtime
 * dependencies (zod, socket.io-client) linked from the workspace instead of downloaded.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, realpath, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Runtime dependencies of the packed packages, and the workspace package whose node_modules holds each. */
const LINKED = { zod: "protocol", "socket.io-client": "sdk" } as const;

export interface PackedSdk {
  /** A directory whose node_modules holds the packed packages: scripts placed here import them. */
  dir: string;
  /** The file list of each tarball, by package ("protocol", "sdk"). */
  contents: { protocol: string[]; sdk: string[] };
}

export async function installPackedSdk(): Promise<PackedSdk> {
  const dir = await mkdtemp(join(tmpdir(), "tokencast-sdk-"));
  const scope = join(dir, "node_modules", "@tokencast");
  await mkdir(scope, { recursive: true });
  const [protocol, sdk] = await Promise.all([
    packInto("protocol", dir, join(scope, "protocol")),
    packInto("sdk", dir, join(scope, "sdk")),
  ]);
  for (const [dependency, owner] of Object.entries(LINKED)) {
    const source = await realpath(join(REPO_ROOT, "packages", owner, "node_modules", dependency));
    await symlink(source, join(dir, "node_modules", dependency), "dir");
  }
  return { dir, contents: { protocol, sdk } };
}

/** Packs `packages/<name>` and extracts it into `target`; returns the tarball's file list. */
async function packInto(name: string, dir: string, target: string): Promise<string[]> {
  const tarball = await pack(name, dir);
  await mkdir(target);
  await run("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"]);
  return (await run("tar", ["-tzf", tarball])).stdout.split("\n").filter(Boolean);
}

/** Packs `packages/<name>` into `into`; returns the tarball's path. */
async function pack(name: string, into: string): Promise<string> {
  const cwd = join(REPO_ROOT, "packages", name);
  const { stdout } = await run("npx", ["-y", "pnpm@10", "pack", "--pack-destination", into], { cwd });
  const tarball = stdout.trim().split("\n").at(-1) ?? "";
  if (!tarball.endsWith(".tgz")) throw new Error(`pnpm pack of ${name} printed no tarball:\n${stdout}`);
  return tarball;
}
