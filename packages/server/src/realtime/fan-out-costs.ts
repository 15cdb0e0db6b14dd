import type { BroadcastCosts } from "../core/ports.ts";
import { extendApply, type Adapter, type ApplyOptions } from "./adapter-apply.ts";
import { SLOW_ROOM } from "./slow-viewers.ts";

/**
 * Times every streamed broadcast (deltas and reasoning: the ones sent `.except(SLOW_ROOM)`) that
 * the adapter delivers to this node's members, and reports the cost to `costs` under its room.
 * In the adapter's `apply` (adapter-apply.ts), so it is measured alike on the node that runs the
 * answer and on a node that only relays it from Redis to its own audience: the writes to every
 * local socket happen there, synchronously.
 */
export function timeStreamedFanOut(adapter: Adapter, costs: BroadcastCosts): void {
  extendApply<unknown>(adapter, (opts, callback, next) => {
    const roomId = streamedRoom(opts);
    if (roomId === undefined) return next(opts, callback);
    const startedAt = performance.now();
    next(opts, callback);
    costs.observe(roomId, performance.now() - startedAt);
  });
}

/** The room of a streamed broadcast (one room, slow viewers excepted); undefined for anything else. */
function streamedRoom({ rooms, except }: ApplyOptions): string | undefined {
  if (rooms.size !== 1 || !except?.has(SLOW_ROOM)) return undefined;
  return rooms.values().next().value;
}
