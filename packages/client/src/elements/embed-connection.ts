/**
 * The element's connection: a RoomConnection that joins as a participant and passes the
 * element's access token with every join (RoomConnectionOptions has no token yet).
 */
import type { JoinPayload } from "@tokencast/protocol";
import { RoomConnection } from "../lib/room-connection.ts";
import type { EmbedOptions } from "./embed-options.ts";

export class EmbedConnection extends RoomConnection {
  constructor(private readonly embed: EmbedOptions) {
    super({ url: embed.server, roomId: embed.roomId, name: embed.name, role: "participant" });
  }

  protected override joinPayload(): JoinPayload {
    const payload = super.joinPayload();
    if (this.embed.token) payload.token = this.embed.token;
    return payload;
  }
}
