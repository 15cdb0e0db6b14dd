import type { BroadcastCosts } from "../core/ports.ts";
import { extendApply, type ApplyOptions } from "./adapter-apply.ts";
import { collectFlushes, deferrableFlushes } from "./deferred-flush.ts";
import { FlushDrainer } from "./flush-drainer.ts";
import { SLOW_ROOM } from "./slow-viewers.ts";
import type { IoServer } from "./types.ts";

export interface FanOutPacing {
  /** A streamed broadcast to more local members than this is written in slices (0: every one). */
  pacedAbove: number;
  /** About how long one slice of writes may hold the event loop, in ms. */
  sliceMs: number;
}

/** 500 WebSocket writes take ~5–15 ms on a small machine: below that, one pass is fine. */
export const FAN_OUT_PACING: FanOutPacing = { pacedAbove: 500, sliceMs: 8 };

/**
 * A room's broadcasts as this node delivers them to its members, in the adapter's `apply`
 * (adapter-apply.ts): alike on the node that runs the answer and on a node that relays it from Redis.
 *
 * Streamed broadcasts (deltas and reasoning: the ones sent `.except(SLOW_ROOM)`) are timed, and
 * their cost goes to `costs` (the room's coalescing window adapts to it). Any broadcast to a large
 * audience (a delta, the answer's end, presence) is queued to every member in one cheap pass and written in slices
 * across loop turns (deferred-flush.ts, flush-drainer.ts): one pass of writes to 10,000 sockets
 * holds the loop ~250 ms, longer than any coalescing window, and every join, stop and other room
 * would wait that long. Each connection's packets keep their order: a later packet to it writes
 * what is queued first.
 */
export function paceFanOut(io: IoServer, costs: BroadcastCosts, pacing = FAN_OUT_PACING): void {
  const adapter = io.of("/").adapter;
  const drainer = new FlushDrainer(costs, pacing.sliceMs);
  io.engine?.on("connection", deferrableFlushes);
  extendApply<unknown>(adapter, (opts, callback, next) => {
    const roomId = onlyRoom(opts);
    if (roomId === undefined) return next(opts, callback);
    const streamed = opts.except?.has(SLOW_ROOM) ?? false;
    const startedAt = performance.now();
    if ((adapter.rooms.get(roomId)?.size ?? 0) <= pacing.pacedAbove) {
      next(opts, callback);
      if (streamed) costs.observe(roomId, performance.now() - startedAt);
      return;
    }
    // A fetch or a join of the room's sockets sends nothing: it leaves nothing to flush.
    const connections = collectFlushes(() => next(opts, callback));
    if (connections.length > 0) drainer.add({ roomId, connections, passMs: performance.now() - startedAt, streamed });
  });
}

/** The room a broadcast (or fetch) covers when it covers one; undefined otherwise. */
function onlyRoom({ rooms }: ApplyOptions): string | undefined {
  return rooms.size === 1 ? rooms.values().next().value : undefined;
}
