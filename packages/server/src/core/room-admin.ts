import type { Message, RoomInfo, UpdateRoomPayload } from "@tokencast/protocol";
import { requireOwner } from "./access.ts";
import type { Invitations } from "./invitations.ts";
import type { Membership } from "./membership.ts";
import type { Broadcaster, MemberDirectory, RoomStore } from "./ports.ts";
import type { CreatedRoom, RoomCatalog } from "./room-catalog.ts";
import type { RoomLifetime } from "./room-lifetime.ts";

export interface RoomAdminDeps {
  catalog: RoomCatalog;
  invitations: Invitations;
  membership: Membership;
  lifetime: RoomLifetime;
  store: RoomStore;
  directory: MemberDirectory;
  broadcaster: Broadcaster;
}

/** Rooms as a whole: creating one, its owner changing its settings, and how it looks from outside. */
export class RoomAdmin {
  constructor(private readonly deps: RoomAdminDeps) {}

  create(input: Parameters<RoomCatalog["create"]>[0]): Promise<CreatedRoom> {
    if (input.private) this.deps.invitations.requirePrivateRooms();
    return this.deps.catalog.create(input);
  }

  async updateSettings(connectionId: string, payload: UpdateRoomPayload): Promise<{ room: RoomInfo }> {
    const member = this.deps.membership.requireMember(connectionId, payload.roomId);
    requireOwner(member, "change the room's settings");
    if (payload.settings.private) this.deps.invitations.requirePrivateRooms();
    const view = await this.deps.lifetime.ifRoomGone(
      payload.roomId,
      this.deps.catalog.update(payload.roomId, payload.settings),
    );
    const room = this.deps.catalog.info(payload.roomId, view);
    this.deps.broadcaster.roomUpdated({ roomId: payload.roomId, room, by: member.name });
    if (payload.settings.private) await this.deps.invitations.dropUninvited(payload.roomId);
    return { room };
  }

  /** The room as the HTTP API shows it; undefined when it was never created and has no history. */
  async describe(roomId: string): Promise<{ room: RoomInfo; messages: Message[] } | undefined> {
    const view = await this.deps.catalog.view(roomId);
    const messages = await this.deps.store.listMessages(roomId);
    if (!view.record && messages.length === 0) return undefined;
    return { room: this.deps.catalog.info(roomId, view), messages };
  }

  async memberCount(roomId: string): Promise<number> {
    return (await this.deps.directory.list(roomId, 0)).count;
  }
}
