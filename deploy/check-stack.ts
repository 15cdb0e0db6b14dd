/**
 * Checks a running Tokencast deployment end to end, through its load balancer, with no
 * dependencies (Node >= 20 fetch only): /healthz and /readyz, then one question asked over
 * Socket.IO's HTTP long-polling transport — the transport that needs the load balancer's
 * stickiness — printing the answer as it streams.
 *
 *   docker compose up -d --build
 *   npx tsx deploy/check-stack.ts                        # http://localhost:8080
 *   npx tsx deploy/check-stack.ts http://host:8080 "Why is the sky blue?"
 *
 * Exits 0 when the answer ends `done`, 1 otherwise. The first answer of a fresh stack waits for
 * LocalAI to download and load the model (minutes).
 */

const BASE = (process.argv[2] ?? "http://localhost:8080").replace(/\/$/, "");
const QUESTION = process.argv[3] ?? "In one sentence: what is a load balancer?";
const DEADLINE = Date.now() + 20 * 60_000;
const SEPARATOR = "\x1e";

type Packet =
  | { type: "ping" }
  | { type: "event"; name: string; data: Record<string, unknown> }
  | { type: "ack"; id: number; data: Record<string, unknown> }
  | { type: "other"; raw: string };

async function main(): Promise<void> {
  const health = await retry("/healthz", async () => {
    const response = await fetch(`${BASE}/healthz`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  });
  console.log("healthz:", JSON.stringify(health));
  const ready = await fetch(`${BASE}/readyz`);
  console.log(`readyz: ${ready.status} ${await ready.text()}`);

  const session = await PollingSession.open();
  const room = `stack-check-${Date.now().toString(36)}`;
  const joined = await session.request("room:join", { roomId: room, name: "stack-check" });
  if (joined.ok !== true) throw new Error(`join refused: ${JSON.stringify(joined)}`);
  const sent = await session.request("chat:send", { roomId: room, text: QUESTION });
  if (sent.ok !== true) throw new Error(`question refused: ${JSON.stringify(sent)}`);
  console.log(`room ${room}: asked "${QUESTION}"\n`);

  const end = await session.streamUntilEnd(String(sent.replyId), (text) => process.stdout.write(text));
  console.log(`\n\nanswer ended: ${JSON.stringify(end)}`);
  console.log(`polling requests: ${session.polls}, all on one node (a wrong node answers 400 "Session ID unknown")`);
  process.exit(end.status === "done" ? 0 : 1);
}

/** A Socket.IO client over Engine.IO v4 long-polling, just enough for join, ask and listen. */
class PollingSession {
  polls = 0;
  private nextAck = 1;
  private readonly queue: Packet[] = [];

  private constructor(private readonly sid: string) {}

  static async open(): Promise<PollingSession> {
    const handshake = await (await fetch(`${BASE}/socket.io/?EIO=4&transport=polling`)).text();
    const { sid } = JSON.parse(handshake.slice(1)) as { sid: string };
    const session = new PollingSession(sid);
    await session.post("40");
    const connected = await session.next();
    if (connected.type !== "other" || !connected.raw.startsWith("40"))
      throw new Error(`namespace connect failed: ${JSON.stringify(connected)}`);
    return session;
  }

  async request(event: string, payload: object): Promise<Record<string, unknown>> {
    const id = this.nextAck++;
    await this.post(`42${id}${JSON.stringify([event, payload])}`);
    for (;;) {
      const packet = await this.next();
      if (packet.type === "ack" && packet.id === id) return packet.data;
    }
  }

  async streamUntilEnd(messageId: string, onText: (text: string) => void): Promise<Record<string, unknown>> {
    for (;;) {
      const packet = await this.next();
      if (packet.type !== "event" || packet.data.messageId !== messageId) continue;
      if (packet.name === "chat:delta") onText(String(packet.data.text));
      if (packet.name === "chat:end") return packet.data;
    }
  }

  /** The next packet, long-polling as needed; pings are answered on the way. */
  private async next(): Promise<Packet> {
    for (;;) {
      const queued = this.queue.shift();
      if (queued?.type === "ping") await this.post("3");
      else if (queued) return queued;
      else await this.poll();
    }
  }

  private async poll(): Promise<void> {
    if (Date.now() > DEADLINE) throw new Error("gave up waiting for the answer");
    this.polls++;
    const response = await fetch(this.url());
    const body = await response.text();
    if (!response.ok) throw new Error(`poll failed: HTTP ${response.status} ${body}`);
    this.queue.push(...body.split(SEPARATOR).map(decode));
  }

  private async post(body: string): Promise<void> {
    const response = await fetch(this.url(), {
      method: "POST",
      body,
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
    });
    if (!response.ok) throw new Error(`send failed: HTTP ${response.status} ${await response.text()}`);
  }

  private url(): string {
    const sid = encodeURIComponent(this.sid);
    return `${BASE}/socket.io/?EIO=4&transport=polling&sid=${sid}&t=${Date.now().toString(36)}`;
  }
}

function decode(raw: string): Packet {
  if (raw === "2") return { type: "ping" };
  const event = /^42(\[.*)$/s.exec(raw);
  if (event) {
    const [name, data] = JSON.parse(event[1]!) as [string, Record<string, unknown>];
    return { type: "event", name, data };
  }
  const ack = /^43(\d+)(\[.*)$/s.exec(raw);
  if (ack) return { type: "ack", id: Number(ack[1]), data: (JSON.parse(ack[2]!) as [Record<string, unknown>])[0] };
  return { type: "other", raw };
}

async function retry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > DEADLINE) throw error;
      console.log(`waiting for ${what}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

main().catch((error: unknown) => {
  console.error(`stack check failed: ${(error as Error).message}`);
  process.exit(1);
});
