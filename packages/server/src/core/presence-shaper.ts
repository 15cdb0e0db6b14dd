import type { PresenceEvent } from "@tokencast/protocol";
import { MAX_LISTED_MEMBERS } from "@tokencast/protocol";
import type { MemberListing } from "./ports.ts";

/** The shortest presence interval (per room and node): a crowd joining at once costs a few broadcasts. */
export const PRESENCE_INTERVAL_MS = 250;
/** The longest a large room waits between presence broadcasts: counts never lag further. */
export const MAX_PRESENCE_INTERVAL_MS = 5_000;
/**
 * Presence deliveries (one event to one member) a room may cost per second and node: a large
 * room's interval grows with its audience, so a join storm costs the same per join at any size.
 * A delivery costs the node about what a delta's does (a write to one socket): at 4,000 a second,
 * presence took 15% of the node's time in a 5,000-viewer join storm, a third of the answer's fan-out.
 */
export const PRESENCE_DELIVERIES_PER_SECOND = 1_000;

/**
 * What a room's presence broadcasts carry and how often they go, per node. A room of at most
 * MAX_LISTED_MEMBERS lists everyone in every event. A larger room lists its first members only
 * when they changed since this node's previous event for it (a viewer joining at the back
 * changes only the counts), and its events are spaced by its size.
 */
export class PresenceShaper {
  /** Large rooms: the listed members this node sent last, as JSON. */
  private readonly listed = new Map<string, string>();
  private readonly counts = new Map<string, number>();

  /** The event to broadcast for this listing (read just now). */
  event(roomId: string, { members, count, roleCounts }: MemberListing): PresenceEvent {
    this.counts.set(roomId, count);
    if (count <= MAX_LISTED_MEMBERS) {
      this.listed.delete(roomId);
      return { roomId, members, count, roleCounts };
    }
    const json = JSON.stringify(members);
    if (this.listed.get(roomId) === json) return { roomId, count, roleCounts };
    this.listed.set(roomId, json);
    return { roomId, members, count, roleCounts };
  }

  /**
   * The room's next event lists its members whatever this node sent last: the list changed in a
   * way no node announced (a dead node's members swept, the directory restored), and viewers may
   * hold another node's list.
   */
  relist(roomId: string): void {
    this.listed.delete(roomId);
  }

  /** How long the room's next presence broadcast waits after this one. */
  intervalMs(roomId: string): number {
    const perSecond = (this.counts.get(roomId) ?? 0) / PRESENCE_DELIVERIES_PER_SECOND;
    return Math.min(MAX_PRESENCE_INTERVAL_MS, Math.max(PRESENCE_INTERVAL_MS, Math.round(perSecond * 1000)));
  }

  /** The room has no members on this node any more. */
  forget(roomId: string): void {
    this.listed.delete(roomId);
    this.counts.delete(roomId);
  }
}
