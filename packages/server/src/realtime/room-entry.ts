import { moderates, type JoinPayload, type JoinResult } from "@tokencast/protocol";
import { moderatorsChannel } from "./broadcaster.ts";
import type { MemberAccess } from "../core/ports.ts";
import type { RoomService } from "../core/room-service.ts";
import type { SocketData } from "./types.ts";

/** A socket, or a direct member (direct-connection.ts): what joining a room needs of it. */
export interface Entrant {
  readonly id: string;
  readonly data: Partial<SocketData>;
  join(room: string): Promise<void> | void;
  leave(room: string): Promise<void> | void;
}

/**
 * `room:join` for a socket or a direct member: admitted first (a refused join never sees the
 * room's events), then in the broadcast room BEFORE the snapshot is read (a delta appended
 * meanwhile is then either in the snapshot or delivered live; the client drops seqs it has).
 */
export async function enterRoom(rooms: RoomService, entrant: Entrant, payload: JoinPayload): Promise<JoinResult> {
  const admission = await rooms.admit(payload);
  await entrant.join(payload.roomId);
  // Owner and presenters hear the questions waiting for approval, from before their snapshot too;
  // a connection joining again in a lesser role stops hearing them.
  if (moderates(admission.role)) await entrant.join(moderatorsChannel(payload.roomId));
  else await entrant.leave(moderatorsChannel(payload.roomId));
  try {
    const joined = await rooms.join(entrant.id, payload, admission);
    // Kept where every node can see it (fetchSockets), so the owner can drop withdrawn
    // invitations, or share-link members when the room goes private.
    entrant.data.access = { ...entrant.data.access, [payload.roomId]: accessOf(payload) };
    entrant.data.voter = rooms.voterOf(entrant.id);
    return joined;
  } catch (error) {
    await entrant.leave(payload.roomId);
    await entrant.leave(moderatorsChannel(payload.roomId));
    throw error;
  }
}

function accessOf(payload: JoinPayload): MemberAccess {
  const token = payload.token !== undefined ? { token: payload.token } : {};
  return { ...token, ...(payload.key !== undefined ? { key: true } : {}) };
}
