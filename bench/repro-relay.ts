import { startRelay } from "./lib/relay.ts";
import { startSwarms, shares, exitAll, all } from "./lib/swarms.ts";
const total = Number(process.env.N ?? 10000);
const swarms = await startSwarms(4);
const relay = await startRelay(undefined);
const t0 = Date.now();
const counts = shares(total, 4);
try {
  await all(swarms, async (s, i) => { s.send({ type: "ws", url: relay.url, count: counts[i]! }); await s.wait("ready", 120_000); console.log("swarm", i, "ready", Date.now() - t0); });
  const r = await all(swarms, (s) => s.report());
  console.log("joins", r.map((x) => x.joins));
} catch (e) { console.log("ERR", String(e), Date.now() - t0); }
exitAll(swarms); await relay.stop(); process.exit(0);
