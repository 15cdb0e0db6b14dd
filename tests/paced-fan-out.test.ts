/**
 * Paced fan-out in process, on a real Socket.IO server and clients: a broadcast to a room larger
 * than `pacedAbove` is queued to every member in one pass and written in slices on later loop
 * turns; each connection's packets keep their order (a direct packet sent meanwhile goes out after
 * the broadcast's), and a streamed broadcast's cost (pass and slices) reaches the room's window.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paceFanOut } from "../packages/server/src/realtime/paced-fan-out.ts";
import { SLOW_ROOM } from "../packages/server/src/realtime/slow-viewers.ts";
import { createSocketServer } from "../packages/server/src/realtime/socket-server.ts";
import type { IoServer, IoSocket } from "../packages/server/src/realtime/types.ts";
import { waitFor } from "./helpers/wait.ts";

const BIG = "big";
const SMALL = "small";
const AUDIENCE = 6;

let http: HttpServer;
let io: IoServer;
let url: string;
const costs: Array<[string, number]> = [];
const clients: ClientSocket[] = [];
const heard = new Map<ClientSocket, string[]>();

beforeAll(async () => {
  http = createServer();
  io = createSocketServer(http);
  paceFanOut(io, { observe: (roomId, ms) => costs.push([roomId, ms]) }, { pacedAbove: 2, sliceMs: 0 });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  for (let i = 0; i <= AUDIENCE; i++) clients.push(await client(i < AUDIENCE ? BIG : SMALL));
});

afterAll(async () => {
  for (const c of clients) c.close();
  await io.close();
});

/** A client whose server socket is in `room`, recording each event as "<name> <seq or id>". */
async function client(room: string): Promise<ClientSocket> {
  const joined = new Promise<IoSocket>((resolve) => io.once("connection", resolve));
  const socket = connect(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  const events: string[] = [];
  heard.set(socket, events);
  socket.onAny((name: string, payload: { seq?: number; roomId?: string }) =>
    events.push(`${name} ${payload.seq ?? payload.roomId}`),
  );
  await (await joined).join(room);
  return socket;
}

function serverSocket(c: ClientSocket): IoSocket {
  return io.of("/").sockets.get(c.id!)!;
}

function queued(c: ClientSocket): number {
  return (serverSocket(c).conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
}

const delta = (roomId: string, seq: number) => ({ roomId, messageId: "m1", seq, text: `t${seq} ` });

describe("paced fan-out", () => {
  it("writes a large room's broadcasts on later loop turns, in order with what follows them", async () => {
    const [first, last] = [clients[0]!, clients[AUDIENCE - 1]!];
    io.to(BIG).except(SLOW_ROOM).emit("chat:delta", delta(BIG, 1));
    expect(queued(last), "queued, not written yet").toBe(1);
    serverSocket(last).emit("room:resync", { roomId: "direct" });
    expect(queued(last), "a later packet writes what was queued").toBe(0);
    io.to(BIG).except(SLOW_ROOM).emit("chat:delta", delta(BIG, 2));
    // Nothing follows delta 2 for a while: only the slices on later turns can write it.
    const members = clients.slice(0, AUDIENCE);
    await waitFor(() => members.every((c) => heard.get(c)!.includes("chat:delta 2")), { what: "delta 2, sliced" });
    io.to(BIG).emit("chat:end", { roomId: BIG, messageId: "m1", seq: 2, status: "done" });
    expect(queued(last), "the end is queued as well").toBe(1);
    expect((await io.local.in(BIG).fetchSockets()).length, "a fetch of the room's sockets is not put off").toBe(
      AUDIENCE,
    );
    await waitFor(() => clients.slice(0, AUDIENCE).every((c) => heard.get(c)!.length >= 3), {
      what: "every member's events",
    });
    for (const c of clients.slice(0, AUDIENCE).filter((c) => c !== last))
      expect(heard.get(c)).toEqual(["chat:delta 1", "chat:delta 2", "chat:end 2"]);
    expect(heard.get(last)).toEqual(["chat:delta 1", "room:resync direct", "chat:delta 2", "chat:end 2"]);
    expect(heard.get(first)).toHaveLength(3);
    await waitFor(() => costs.filter(([roomId]) => roomId === BIG).length === 2, { what: "both deltas' costs" });
    expect(
      costs.filter(([roomId]) => roomId === BIG),
      "the end is not a streamed broadcast",
    ).toHaveLength(2);
  });

  it("writes a small room's streamed broadcast at once, and times it", async () => {
    const member = clients[AUDIENCE]!;
    const before = costs.length;
    io.to(SMALL).except(SLOW_ROOM).emit("chat:delta", delta(SMALL, 1));
    expect(queued(member)).toBe(0);
    expect(costs.slice(before).map(([roomId]) => roomId)).toEqual([SMALL]);
    await waitFor(() => heard.get(member)!.includes("chat:delta 1"), { what: "the small room's delta" });
  });
});
