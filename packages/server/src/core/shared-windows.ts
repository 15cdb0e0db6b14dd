import type { WindowNotice } from "@tokencast/protocol";
import type { BroadcastCosts } from "./ports.ts";
import type { RoomWindows } from "./room-windows.ts";

/** What a coalescer needs: the room's window now, in ms, and whether its last batch is still going out. */
export interface CoalescingWindows {
  windowMs(roomId: string): number;
  /** While a paced fan-out of the room is under way, when it is done (see BroadcastCosts.fanOutStarted). */
  fanOutDone?(roomId: string): Promise<void> | undefined;
}

/** A widened window is told again this often while its room keeps broadcasting here. */
export const SHARE_EVERY_MS = 1000;
/** A window heard from another node counts this long (its node tells it again while it holds). */
export const HEARD_FOR_MS = 3 * SHARE_EVERY_MS;
/** A window is told again at once when it moved by more than this share since it was last told. */
export const SHARE_BAND = 0.2;

interface Told {
  ms: number;
  at: number;
}

export interface SharedWindowsOptions {
  local: RoomWindows;
  /** The window while broadcasts are cheap (COALESCE_MS): nothing to tell. */
  minMs: number;
  /** Tells the other nodes this node's window for a room (Cluster.shareWindow); absent on one node. */
  tell?: (roomId: string, ms: number) => void;
  now?: () => number;
}

/**
 * The coalescing windows of a cluster. A room's answer is batched on the node that runs it, but
 * every node fans each batch out to its own audience: a node that only relays a room (its viewers
 * are many, the asker's node has few) measures its fan-out like any other (`observe`), and tells
 * the other nodes when its window for the room widens. A room's window is the widest of this
 * node's own and those heard from the others in the last HEARD_FOR_MS, so the node that runs the
 * answer batches for the costliest audience. Windows are told when they move past SHARE_BAND and
 * at most every SHARE_EVERY_MS while they stay wide: a few messages a second per widened room.
 */
export class SharedWindows implements BroadcastCosts, CoalescingWindows {
  private readonly now: () => number;
  private readonly told = new Map<string, Told>();
  /** Rooms whose last broadcast is still being written out (paced), and who waits for it. */
  private readonly fanOuts = new Map<string, { promise: Promise<void>; done: () => void }>();
  /** Room → node → the window it told, and when. */
  private readonly heard = new Map<string, Map<string, Told>>();

  constructor(private readonly options: SharedWindowsOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  fanOutStarted(roomId: string): void {
    if (this.fanOuts.has(roomId)) return;
    let done = () => {};
    const promise = new Promise<void>((resolve) => (done = resolve));
    this.fanOuts.set(roomId, { promise, done });
  }

  fanOutDone(roomId: string): Promise<void> | undefined {
    return this.fanOuts.get(roomId)?.promise;
  }

  observe(roomId: string, costMs: number): void {
    this.fanOuts.get(roomId)?.done();
    this.fanOuts.delete(roomId);
    this.options.local.observe(roomId, costMs);
    if (this.options.tell) this.tellIfMoved(roomId, this.options.tell);
  }

  windowMs(roomId: string): number {
    return Math.max(this.options.local.windowMs(roomId), this.heardMs(roomId));
  }

  /** Another node's window for a room (a WindowNotice). */
  hear({ roomId, node, ms }: WindowNotice): void {
    const nodes = this.heard.get(roomId) ?? new Map<string, Told>();
    this.heard.set(roomId, nodes.set(node, { ms, at: this.now() }));
  }

  /** The widest window of any room on this node, own or heard, in ms. */
  widestMs(): number {
    let widest = this.options.local.widestMs();
    for (const roomId of [...this.heard.keys()]) widest = Math.max(widest, this.heardMs(roomId));
    return widest;
  }

  /** Rooms whose window is above the minimum, own or heard. */
  widenedRooms(): number {
    let widenedByOthers = 0;
    for (const roomId of [...this.heard.keys()]) {
      const widenedHere = this.options.local.windowMs(roomId) - this.options.minMs >= 0.5;
      if (!widenedHere && this.heardMs(roomId) - this.options.minMs >= 0.5) widenedByOthers++;
    }
    return this.options.local.widenedRooms() + widenedByOthers;
  }

  /** The widest window other nodes told for the room lately (0 when none); forgets what is older. */
  private heardMs(roomId: string): number {
    const nodes = this.heard.get(roomId);
    if (!nodes) return 0;
    let widest = 0;
    for (const [node, { ms, at }] of nodes) {
      if (this.now() - at >= HEARD_FOR_MS) nodes.delete(node);
      else widest = Math.max(widest, ms);
    }
    if (nodes.size === 0) this.heard.delete(roomId);
    return widest;
  }

  private tellIfMoved(roomId: string, tell: (roomId: string, ms: number) => void): void {
    const ms = this.options.local.windowMs(roomId);
    const last = this.told.get(roomId) ?? { ms: this.options.minMs, at: Number.NEGATIVE_INFINITY };
    const moved = Math.abs(ms - last.ms) > last.ms * SHARE_BAND;
    const due = ms - this.options.minMs >= 0.5 && this.now() - last.at >= SHARE_EVERY_MS;
    if (!moved && !due) return;
    tell(roomId, ms);
    if (ms - this.options.minMs < 0.5) this.told.delete(roomId);
    else this.told.set(roomId, { ms, at: this.now() });
  }
}
