/**
 * examples/print-answers.mjs against a real node, importing the SDK as published: the packed
 * tarballs (built dist/, no sources or tests), extracted into a fresh node_modules and run
 * with plain `node`. Another member asks; the example's stdout shows the answer as it streams.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, ended, viewer } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { installPackedSdk, type PackedSdk } from "./helpers/packed-sdk.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { expectedText, tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

const EXAMPLE = fileURLToPath(new URL("../examples/print-answers.mjs", import.meta.url));
const TOKENS = Array.from({ length: 40 }, (_, i) => `word${i} `).concat(["the end."]);
const FIRST_PART = 15;

let packed: PackedSdk;
let fake: FakeUpstream;
let node: ServerNode;
let example: RunningExample | undefined;

beforeAll(async () => {
  fake = await startFakeUpstream();
  const nodeStarted = startNode({ LLM_BASE_URL: fake.url, LLM_MODEL: "fake-model", COALESCE_MS: "10" });
  [packed, node] = await Promise.all([installPackedSdk(), nodeStarted]);
  await copyFile(EXAMPLE, join(packed.dir, "print-answers.mjs"));
}, 180_000);

afterAll(async () => {
  if (example?.child.exitCode === null) example.child.kill("SIGKILL");
  closeAllClients();
  await node?.stop();
  await fake?.close();
  if (packed) await rm(packed.dir, { recursive: true, force: true });
});

describe("the published SDK", () => {
  it("packs built JavaScript and types, without sources or tests", () => {
    for (const files of Object.values(packed.contents)) {
      expect(files).toEqual(expect.arrayContaining(["package/dist/index.js", "package/dist/index.d.ts"]));
      expect(files).toEqual(expect.arrayContaining(["package/LICENSE", "package/README.md", "package/package.json"]));
      expect(files.filter((file) => /\.test\.|(^|\/)src\/|(^|\/)testing\//.test(file))).toEqual([]);
    }
  });

  it("runs examples/print-answers.mjs, which prints an answer as it streams", async () => {
    const printer = startExample(node.url, "sdk-example", "printer");
    example = printer;
    await waitFor(() => printer.joined(), { timeoutMs: 15_000, what: "the example to join" });
    const asker = await viewer(node.url, "sdk-example", "Ada");
    fake.enqueue(tokenScript(TOKENS, { delayMs: 1, gateAfter: { tokens: FIRST_PART, gate: "half" } }));
    const { replyId } = await asker.send("Say forty words");

    await waitFor(() => printer.stdout.includes(expectedText(TOKENS.slice(0, FIRST_PART))), { what: "the first part" });
    expect(printer.stdout).toContain("> Ada: Say forty words\n");
    expect(printer.stdout).not.toContain(TOKENS.at(-1));
    fake.release("half");
    await ended(asker, replyId);
    await waitFor(() => printer.stdout.includes("[done]"), { what: "the end of the answer" });
    // Printed in two parts at least: the first part above, before the upstream went on; then the rest.
    expect(printer.stdout).toContain(`${expectedText(TOKENS)}\n[done]\n`);

    printer.child.kill("SIGINT");
    expect(await printer.exited).toBe(0);
    expect(problems(node)).toEqual([]);
  });
});

interface RunningExample {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
  /** True once the example says it joined; throws (with its stderr) if it exited. */
  joined(): boolean;
}

function startExample(url: string, roomId: string, name: string): RunningExample {
  const child = spawn(process.execPath, ["print-answers.mjs", url, roomId, name], {
    cwd: packed.dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const running: RunningExample = {
    child,
    stdout: "",
    stderr: "",
    exited,
    joined: () => {
      if (child.exitCode !== null) throw new Error(`the example exited with ${child.exitCode}:\n${running.stderr}`);
      return running.stderr.includes("Joined");
    },
  };
  child.stdout?.on("data", (data: Buffer) => (running.stdout += data.toString()));
  child.stderr?.on("data", (data: Buffer) => (running.stderr += data.toString()));
  return running;
}
