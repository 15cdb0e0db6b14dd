/**
 * The abuse bench's attacker, a process of its own (forked by bench/scenarios/abuse.ts) so that
 * its work does not slow the scenario's timing: ONE client IP (X-Forwarded-For) running the join
 * flood, the room hog and the queue storm (abuse-loops.ts) at once until told to stop.
 *
 * IPC in:  { type: "start", plan } then { type: "stop" }
 * IPC out: { type: "online" }, { type: "started" } once every socket has tried its first
 *          connection, { type: "report", report } after the stop (every socket closed)
 */
import { Attack } from "./abuse-attack.ts";
import { joinFlood, queueStorm, roomHog, type StormRoom } from "./abuse-loops.ts";
import type { AttackName, AttackPlan, AttackReport, AttackerCommand, AttackerEvent } from "./abuse-protocol.ts";

let attacks: Record<AttackName, Attack> | undefined;
let loops: Array<Promise<void>> = [];
let startedAt = 0;
let cpuAtStart = process.cpuUsage();

function send(event: AttackerEvent): void {
  process.send?.(event);
}

function times<T>(count: number, run: (index: number) => T): T[] {
  return Array.from({ length: count }, (_, i) => run(i));
}

/** The storm's presentation, created by the attacker's IP as anyone may (POST /api/rooms). */
async function createPresentation(attack: Attack): Promise<StormRoom | undefined> {
  try {
    const response = await fetch(`${attack.plan.url}/api/rooms`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": attack.plan.ip },
      body: JSON.stringify({ title: "Storm", mode: "presentation" }),
    });
    const body = (await response.json()) as { ok?: boolean; room?: { id?: string }; error?: { code?: string } };
    attack.record("POST /api/rooms", body.ok === true ? "ok" : (body.error?.code ?? `HTTP ${response.status}`));
    return typeof body.room?.id === "string" ? { roomId: body.room.id, questions: [], full: false } : undefined;
  } catch (error) {
    attack.record("POST /api/rooms", (error as Error).name);
    return undefined;
  }
}

async function start(plan: AttackPlan): Promise<void> {
  const { sockets } = plan;
  const started = {
    flood: new Attack(plan, sockets.flood),
    hog: new Attack(plan, sockets.hog),
    storm: new Attack(plan, sockets.storm),
  };
  attacks = started;
  startedAt = performance.now();
  cpuAtStart = process.cpuUsage();
  const storm = await createPresentation(started.storm);
  loops = [
    ...times(sockets.flood, (i) => joinFlood(started.flood, i)),
    ...times(sockets.hog, (i) => roomHog(started.hog, i)),
    ...(storm ? times(sockets.storm, (i) => queueStorm(started.storm, i, storm)) : []),
  ];
  await Promise.all([started.flood.ready, started.hog.ready, storm ? started.storm.ready : undefined]);
  send({ type: "started" });
}

/** Tallies first (calls cut short by the stop are not the node's doing), then closes every socket. */
async function stop(): Promise<void> {
  if (!attacks) return;
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const report: AttackReport = {
    seconds,
    cpuSeconds,
    attacks: { flood: attacks.flood.tally(), hog: attacks.hog.tally(), storm: attacks.storm.tally() },
  };
  const frozen = JSON.parse(JSON.stringify(report)) as AttackReport;
  for (const attack of Object.values(attacks)) attack.stop();
  await Promise.allSettled(loops);
  send({ type: "report", report: frozen });
}

process.on("message", (command: AttackerCommand) => {
  if (command.type === "start") void start(command.plan);
  if (command.type === "stop") void stop().then(() => process.exit(0));
});
process.on("disconnect", () => process.exit(0));

send({ type: "online" });
