/**
 * A soak load generator (forked by bench/scenarios/soak.ts): runs SoakViewers, each in a given
 * room, joining through a random node, and bounces each one every `bounceMs` on average (a
 * disconnect, then a reconnect through a random node after up to 2 s).
 *
 * IPC in:  SoakCommand          IPC out: SoakEvent
 */
import { emptyCounts, SoakViewer, type ViewerCounts } from "./soak-viewer.ts";

export type SoakCommand =
  | { type: "start"; urls: string[]; rooms: string[]; bounceMs: number; index: number }
  /** Stop bouncing; reply "settled" once every viewer is online with no answer incomplete (or after timeoutMs). */
  | { type: "settle"; timeoutMs: number }
  | { type: "report" }
  | { type: "exit" };

export type SoakEvent =
  | { type: "online" }
  | { type: "ready" }
  | { type: "settled"; pending: number; offline: number }
  | { type: "report"; counts: ViewerCounts; rssKb: number };

const OPEN_EVERY_MS = 20;
const counts = emptyCounts();
const viewers: SoakViewer[] = [];
let bouncer: NodeJS.Timeout | undefined;

function send(event: SoakEvent): void {
  process.send?.(event);
}

function start(command: Extract<SoakCommand, { type: "start" }>): void {
  command.rooms.forEach((room, i) =>
    viewers.push(new SoakViewer(command.urls, room, `soak-${command.index}-${i}`, counts)),
  );
  let next = 0;
  const opener = setInterval(() => {
    viewers[next++]?.connect();
    if (next < viewers.length) return;
    clearInterval(opener);
    void until(() => viewers.every((v) => v.online), 60_000).then(() => {
      send({ type: "ready" });
      bounce(command.bounceMs);
    });
  }, OPEN_EVERY_MS);
}

/** Every 100 ms each viewer bounces with the probability that gives one bounce per bounceMs. */
function bounce(bounceMs: number): void {
  const chance = 100 / bounceMs;
  bouncer = setInterval(() => {
    for (const viewer of viewers) if (viewer.online && Math.random() < chance) viewer.bounce(Math.random() * 2000);
  }, 100);
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

async function settle(timeoutMs: number): Promise<void> {
  clearInterval(bouncer);
  await until(() => viewers.every((v) => v.online && v.pending === 0), timeoutMs);
  send({
    type: "settled",
    pending: viewers.reduce((sum, v) => sum + v.pending, 0),
    offline: viewers.filter((v) => !v.online).length,
  });
}

process.on("message", (command: SoakCommand) => {
  switch (command.type) {
    case "start":
      start(command);
      break;
    case "settle":
      void settle(command.timeoutMs);
      break;
    case "report":
      for (const viewer of viewers) viewer.finish();
      send({ type: "report", counts, rssKb: Math.round(process.memoryUsage.rss() / 1024) });
      break;
    case "exit":
      for (const viewer of viewers) viewer.close();
      process.exit(0);
  }
});

send({ type: "online" });
