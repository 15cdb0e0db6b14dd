/** Starts the raw ws relay process (ws-relay.ts) and connects a producer to it. */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import type { ProbeStats } from "./node-probe.mjs";
import { epochMs } from "./clock.ts";
import { pin } from "./pinning.ts";

const RELAY = fileURLToPath(new URL("./ws-relay.ts", import.meta.url));

export interface Relay {
  child: ChildProcess;
  url: string;
  probeReset(): void;
  probe(): Promise<ProbeStats>;
  stop(): Promise<void>;
}

export type RelayMode = "naive" | "preframed";

export async function startRelay(cpus: string | undefined, mode: RelayMode = "naive"): Promise<Relay> {
  const child = fork(RELAY, [mode], { execArgv: ["--import", "tsx"] });
  const [message] = (await Promise.race([once(child, "message"), died(child)])) as [{ port: number }];
  if (cpus) pin(child.pid!, cpus);
  return {
    child,
    url: `ws://127.0.0.1:${message.port}`,
    probeReset: () => child.send({ type: "reset" }),
    probe: async () => {
      child.send({ type: "probe" });
      const [reply] = (await Promise.race([once(child, "message"), died(child)])) as [{ stats: ProbeStats }];
      return reply.stats;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Rejects when the relay process exits (so a crash cannot hang the run). */
async function died(child: ChildProcess): Promise<never> {
  const [code] = (await once(child, "exit")) as [number | null];
  throw new Error(`the ws relay exited (${code})`);
}

/** Sends `frames` to the relay as fast as the connection takes them; resolves once all are written. */
export async function produce(relay: Relay, frames: string[]): Promise<void> {
  const producer = new WebSocket(`${relay.url}/producer`, { perMessageDeflate: false });
  await once(producer, "open");
  let pending = frames.length;
  const done = new Promise<void>((resolve) => {
    for (const frame of frames) {
      producer.send(frame, () => {
        pending -= 1;
        if (pending === 0) resolve();
      });
    }
  });
  await done;
  producer.close();
}

const STAMP = /<t>(\d+\.\d+) /g;

/**
 * Replays recorded delta frames through the relay at the times they were first produced
 * (relative to the first one, from the newest token stamp in each), with every token stamp
 * replaced by the time of sending: a viewer's delay is then pure relay fan-out and transport.
 */
export async function replayPaced(relay: Relay, frames: string[]): Promise<void> {
  const producer = new WebSocket(`${relay.url}/producer`, { perMessageDeflate: false });
  await once(producer, "open");
  const offsets = pacing(frames);
  const start = epochMs();
  let sent: Promise<void> = Promise.resolve();
  for (const [i, frame] of frames.entries()) {
    const wait = start + (offsets[i] ?? 0) - epochMs();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const now = epochMs().toFixed(3);
    sent = new Promise<void>((resolve) =>
      producer.send(
        frame.replace(STAMP, () => `<t>${now} `),
        () => resolve(),
      ),
    );
  }
  await sent;
  producer.close();
}

/** ms after the first frame at which each frame was produced (frames without stamps follow the previous one). */
function pacing(frames: string[]): number[] {
  let first: number | undefined;
  let previous = 0;
  return frames.map((frame) => {
    const stamps = [...frame.matchAll(STAMP)].map((m) => Number(m[1]));
    const newest = stamps.at(-1);
    if (newest === undefined) return previous;
    first ??= newest;
    previous = newest - first;
    return previous;
  });
}
