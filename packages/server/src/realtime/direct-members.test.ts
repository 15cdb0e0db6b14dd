/**
 * Direct members against the real adapters: socket.io's in-memory one, and two Socket.IO servers
 * joined by the Redis adapter on a private redis-server (what a broadcast, a fetch and a drop from
 * another node look like when they arrive here).
 */
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import type { Logger } from "../core/ports.ts";
import { usePrivateRedis } from "../store/redis-fixture.ts";
import { socketBroadcaster } from "./broadcaster.ts";
import { paceFanOut } from "./paced-fan-out.ts";
import { DirectConnection } from "./direct-connection.ts";
import { attachDirectMembers, type DirectMembers } from "./direct-members.ts";
import { SLOW_ROOM, type SlowViewerGuard } from "./slow-viewers.ts";
import type { IoServer } from "./types.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };
const noSlowViewers: SlowViewerGuard = { beforeDelta: () => {}, count: () => 0, stop: () => {} };

interface Heard {
  events: Array<[string, unknown]>;
  lost: string[];
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Socket.IO server without an HTTP server: its adapter is all these tests use. */
function server(): IoServer {
  return new Server();
}

/** A direct member in `rooms`, recording what it hears. */
function member(members: DirectMembers, rooms: string[]): { connection: DirectConnection; heard: Heard } {
  const connection = new DirectConnection(members, "198.51.100.1", quiet);
  const heard: Heard = { events: [], lost: [] };
  connection.onPacket((event, payload) => heard.events.push([event, payload]));
  connection.onLost((reason) => heard.lost.push(reason));
  connection.join(rooms);
  return { connection, heard };
}

const names = (heard: Heard) => heard.events.map(([event]) => event);

describe("direct members with the in-memory adapter", () => {
  it("hear what is broadcast to their rooms, minus `except`, as a JSON copy of each packet shared by all", () => {
    const io = server();
    const members = attachDirectMembers(io.of("/").adapter);
    const fast = member(members, ["room-a"]);
    const slow = member(members, ["room-a", "slow"]);
    const elsewhere = member(members, ["room-b"]);
    const delta = { roomId: "room-a", messageId: "m1", seq: 1, text: "Hi", at: undefined };
    io.to("room-a")
      .except("slow")
      .emit("chat:delta", delta as never);
    io.to("room-a").emit("chat:end", { roomId: "room-a", messageId: "m1", seq: 1, status: "done" });
    delta.text = "changed after the emit";

    expect(names(fast.heard)).toEqual(["chat:delta", "chat:end"]);
    expect(fast.heard.events[0]![1]).toEqual({ roomId: "room-a", messageId: "m1", seq: 1, text: "Hi" });
    expect(names(slow.heard)).toEqual(["chat:end"]);
    expect(slow.heard.events[0]![1]).toBe(fast.heard.events[1]![1]);
    expect(elsewhere.heard.events).toEqual([]);
  });

  it("show in fetchSockets with their data, are dropped by disconnect, leave the adapter's rooms", async () => {
    const io = server();
    const adapter = io.of("/").adapter;
    const members = attachDirectMembers(adapter);
    const kept = member(members, ["room-a"]);
    const dropped = member(members, ["room-a"]);
    dropped.connection.data.access = { "room-a": { token: "withdrawn" } };
    const found = await io.local.in("room-a").fetchSockets();
    expect(found.map((s) => s.id).sort()).toEqual([kept.connection.id, dropped.connection.id].sort());
    for (const socket of found) if (socket.data.access?.["room-a"]?.token === "withdrawn") socket.disconnect(true);

    expect(dropped.heard.lost).toEqual(["server namespace disconnect"]);
    expect(kept.heard.lost).toEqual([]);
    io.local.to("room-a").emit("room:resync", { roomId: "room-a" });
    expect(names(kept.heard)).toEqual(["room:resync"]);
    expect(dropped.heard.events).toEqual([]);
    kept.connection.close();
    expect(adapter.rooms.has("room-a")).toBe(false);
    expect(members.count()).toBe(0);
  });

  it("a member whose listener throws is dropped; the broadcast goes on to the others", () => {
    const io = server();
    const members = attachDirectMembers(io.of("/").adapter);
    const failing = member(members, ["room-a"]);
    failing.connection.onPacket(() => {
      throw new Error("cannot take it");
    });
    const other = member(members, ["room-a"]);
    expect(() => io.to("room-a").emit("room:resync", { roomId: "room-a" })).not.toThrow();
    expect(failing.heard.lost).toEqual(["server namespace disconnect"]);
    expect(names(other.heard)).toEqual(["room:resync"]);
  });

  it("a member closed while a join was under way does not enter the room", () => {
    const io = server();
    const members = attachDirectMembers(io.of("/").adapter);
    const late = member(members, []);
    late.connection.close();
    late.connection.join("room-a");
    io.to("room-a").emit("room:resync", { roomId: "room-a" });
    expect(late.heard.events).toEqual([]);
    expect(io.of("/").adapter.rooms.has("room-a")).toBe(false);
  });
});

describe("direct members with the Redis adapter (two servers, one redis-server)", () => {
  const redis = usePrivateRedis();

  function redisServer(): IoServer {
    const pub = new Redis(redis.server.url);
    const sub = new Redis(redis.server.url);
    const io = server();
    io.adapter(createAdapter(pub, sub, { key: "direct-test", requestsTimeout: 2000 }));
    cleanups.push(async () => {
      await io.of("/").adapter.close();
      await Promise.all([pub.quit(), sub.quit()]);
    });
    return io;
  }

  it("hear another node's broadcasts, and its drops reach them through fetchSockets", async () => {
    const [nodeA, nodeB] = [redisServer(), redisServer()];
    const members = attachDirectMembers(nodeB.of("/").adapter);
    const viewer = member(members, ["room-x"]);
    viewer.connection.data.access = { "room-x": { token: "withdrawn" } };
    const keeper = member(members, ["room-x"]);
    keeper.connection.data.access = { "room-x": { key: true } };
    const other = member(members, ["room-y"]);
    // Repeated until node B's subscription is up: then every later broadcast arrives once.
    await waitFor(
      () => {
        nodeA.to("room-x").emit("room:resync", { roomId: "room-x" });
        return viewer.heard.events.length > 0;
      },
      { intervalMs: 50, what: "node A's broadcast on node B" },
    );
    nodeA.to("room-x").emit("chat:delta", { roomId: "room-x", messageId: "m1", seq: 1, text: "over redis" });
    const deltas = () => viewer.heard.events.filter(([event]) => event === "chat:delta");
    await waitFor(() => deltas().length === 1, { what: "the delta on node B" });
    expect(deltas()).toEqual([["chat:delta", { roomId: "room-x", messageId: "m1", seq: 1, text: "over redis" }]]);
    expect(other.heard.events).toEqual([]);

    const broadcaster = socketBroadcaster(nodeA, noSlowViewers);
    const dropped = await broadcaster.dropMembers("room-x", (access) => access.token === "withdrawn");
    expect(dropped).toBe(1);
    await waitFor(() => viewer.heard.lost.length === 1, { what: "node A's drop of the member on node B" });
    expect(keeper.heard.lost).toEqual([]);
    expect((await nodeA.in("room-x").fetchSockets()).map((s) => s.id)).toEqual([keeper.connection.id]);
  });

  it("a node that only relays a room times each streamed broadcast it delivers, and nothing else", async () => {
    const [nodeA, nodeB] = [redisServer(), redisServer()];
    const members = attachDirectMembers(nodeB.of("/").adapter);
    const costs: Array<[string, number]> = [];
    paceFanOut(nodeB, { observe: (roomId, ms) => costs.push([roomId, ms]) });
    const viewer = member(members, ["room-x"]);
    await waitFor(
      () => {
        nodeA.to("room-x").emit("room:resync", { roomId: "room-x" });
        return viewer.heard.events.length > 0;
      },
      { intervalMs: 50, what: "node A's broadcast on node B" },
    );
    const delta = { roomId: "room-x", messageId: "m1", seq: 1, text: "relayed" };
    nodeA.to("room-x").except(SLOW_ROOM).emit("chat:delta", delta);
    nodeA.to("room-x").emit("chat:end", { roomId: "room-x", messageId: "m1", seq: 1, status: "done" });
    await waitFor(() => names(viewer.heard).includes("chat:end"), { what: "the end on node B" });
    expect(costs.map(([roomId]) => roomId)).toEqual(["room-x"]);
    expect(costs[0]![1]).toBeGreaterThanOrEqual(0);
  });
});
