/**
 * Room slots on a real node (issue 11, defect 2): one address with many sockets cannot fill the
 * node, a connection is in at most MAX_ROOMS_PER_CONNECTION rooms, an address opens at most
 * ADHOC_ROOMS_PER_IP_PER_HOUR ad-hoc rooms, and a room holds at most MAX_MEMBERS_PER_IP_PER_ROOM
 * members from one address. Clients claim addresses with X-Forwarded-For (TRUST_PROXY=1).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { socketFrom as connectFrom } from "./helpers/clients.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";

type JoinAck = { ok: boolean; error?: { code: string; message: string; retryAfter?: number } };

let node: ServerNode;
const sockets: Socket[] = [];

beforeAll(async () => {
  node = await startNode({
    TRUST_PROXY: "1",
    MAX_ROOMS_PER_NODE: "40", // one address may hold a tenth: 4 rooms
    MAX_ROOMS_PER_CONNECTION: undefined, // the default: 10
    ADHOC_ROOMS_PER_IP_PER_HOUR: "6",
    MAX_MEMBERS_PER_IP_PER_ROOM: "3",
  });
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

afterAll(async () => {
  await node.stop();
  expect(problems(node)).toEqual([]);
});

const socketFrom = (ip: string) => connectFrom(node.url, ip, sockets);

function join(socket: Socket, roomId: string): Promise<JoinAck> {
  return socket.timeout(5000).emitWithAck("room:join", { roomId, name: "Someone" }) as Promise<JoinAck>;
}

const codes = (acks: JoinAck[]) => acks.map((ack) => (ack.ok ? "ok" : ack.error!.code));
const count = (acks: JoinAck[], code: string) => codes(acks).filter((c) => c === code).length;

describe("room slots", () => {
  it("one address with several sockets cannot fill the node; another address then opens a room", async () => {
    const hog = await Promise.all(Array.from({ length: 5 }, () => socketFrom("203.0.113.66")));
    // 50 new rooms at once, past the node's 40.
    const acks = await Promise.all(
      hog.flatMap((socket, s) => Array.from({ length: 10 }, (_, r) => join(socket, `hog-${s}-${r}`))),
    );
    expect(count(acks, "ok")).toBe(4);
    expect(count(acks, "server_full")).toBe(46);
    expect(acks.find((ack) => !ack.ok)!.error!.message).toMatch(/your address/i);
    const other = await socketFrom("198.51.100.2");
    expect(codes([await join(other, "fresh-presentation")])).toEqual(["ok"]);
    expect(codes([await join(other, "hog-4-9")])).toEqual(["ok"]);
  });

  it("a connection joining an 11th room gets too_many_rooms", async () => {
    // 11 rooms opened by three addresses (each within its share of 4 and its budget of 6)…
    const hosts = await Promise.all(["198.51.100.10", "198.51.100.11", "198.51.100.12"].map(socketFrom));
    for (let i = 0; i < 11; i++) expect(codes([await join(hosts[i % 3]!, `shared-${i}`)])).toEqual(["ok"]);
    // …joined by one connection.
    const roamer = await socketFrom("198.51.100.20");
    const acks: JoinAck[] = [];
    for (let i = 0; i < 11; i++) acks.push(await join(roamer, `shared-${i}`));
    expect(codes(acks)).toEqual([...Array<string>(10).fill("ok"), "too_many_rooms"]);
    expect(acks[10]!.error!.message).toMatch(/at most 10 rooms/);
    // Leaving one frees a place.
    expect(await roamer.timeout(5000).emitWithAck("room:leave", { roomId: "shared-0" })).toMatchObject({ ok: true });
    expect(codes([await join(roamer, "shared-10")])).toEqual(["ok"]);
  });

  it("an address opens at most ADHOC_ROOMS_PER_IP_PER_HOUR ad-hoc rooms; joining existing rooms costs nothing", async () => {
    const churner = await socketFrom("198.51.100.40");
    for (let i = 0; i < 6; i++) {
      expect(codes([await join(churner, `churn-${i}`)])).toEqual(["ok"]);
      await churner.timeout(5000).emitWithAck("room:leave", { roomId: `churn-${i}` });
    }
    const refused = await join(churner, "churn-6");
    expect(refused.error?.code).toBe("rate_limited");
    expect(refused.error?.retryAfter).toBeGreaterThan(3000);
    const host = await socketFrom("198.51.100.41");
    expect(codes([await join(host, "existing")])).toEqual(["ok"]);
    expect(codes([await join(churner, "existing")])).toEqual(["ok"]);
  });

  it("a room holds at most MAX_MEMBERS_PER_IP_PER_ROOM members from one address; other addresses get in", async () => {
    const crowd = await Promise.all(Array.from({ length: 5 }, () => socketFrom("198.51.100.50")));
    const acks = await Promise.all(crowd.map((socket) => join(socket, "one-wifi")));
    expect(count(acks, "ok")).toBe(3);
    expect(count(acks, "room_full")).toBe(2);
    expect(acks.find((ack) => !ack.ok)!.error!.message).toMatch(/from your address/);
    expect(codes([await join(await socketFrom("198.51.100.51"), "one-wifi")])).toEqual(["ok"]);
  });
});
