import type { JoinPayload, Role } from "@tokencast/protocol";
import { requireMayMint, roleFor } from "./access.ts";
import { AppError } from "./errors.ts";
import type { Logger, RoomRecords } from "./ports.ts";
import type { RoomCatalog } from "./room-catalog.ts";
import type { RoomLifetime } from "./room-lifetime.ts";
import { epochOf, type MintRequest, type RoomTokens, type TokenClaims } from "./tokens.ts";

/** What proves a role over HTTP: a signed room token or a room key. */
export interface Credentials {
  token?: string | undefined;
  key?: string | undefined;
}

export interface InvitationsDeps {
  records: RoomRecords;
  catalog: RoomCatalog;
  tokens: RoomTokens;
  lifetime: RoomLifetime;
  logger: Logger;
}

/**
 * Who a room lets in beyond its share link: signed tokens minted by its owner or presenters,
 * room keys, and the room's invitation epoch — withdrawing invitations moves the epoch on, and
 * tokens minted under an older one are refused.
 */
export class Invitations {
  constructor(private readonly deps: InvitationsDeps) {}

  /**
   * The role credentials (a token, or a room key) give in a room; undefined without any. Throws
   * `forbidden` / `token_expired` for bad ones. For HTTP reads of private rooms and for minting.
   */
  async credentialRole(roomId: string, credentials: Credentials): Promise<Role | undefined> {
    if (credentials.token !== undefined) return (await this.verify(credentials.token, roomId)).role;
    if (credentials.key === undefined) return undefined;
    const view = await this.deps.catalog.view(roomId);
    return roleFor(view.record, view.settings, { key: credentials.key });
  }

  /** A token for `request.roomId`, signed for who `credentials` say may mint it. */
  async mint(credentials: Credentials, request: MintRequest): Promise<{ token: string; expiresAt: number }> {
    const holder = await this.credentialRole(request.roomId, credentials);
    if (holder === undefined)
      throw new AppError(
        "forbidden",
        "Creating tokens needs the owner's or presenter's key (X-Room-Key) or an owner token.",
      );
    requireMayMint(holder, request.role);
    return this.deps.tokens.mint(request, await this.deps.records.invitationEpoch(request.roomId));
  }

  /**
   * Withdraws every token minted for the room so far (owner only): joins with them are refused,
   * and connections that joined with one are dropped on every node. Returns how many were dropped.
   */
  async revoke(credentials: Credentials, roomId: string): Promise<{ dropped: number }> {
    const holder = await this.credentialRole(roomId, credentials);
    if (holder !== "owner")
      throw new AppError(
        "forbidden",
        "Only the room's owner may withdraw its invitations (X-Room-Key: the owner key, or an owner token).",
      );
    const epoch = await this.deps.records.revokeTokens(roomId);
    const dropped = await this.deps.lifetime.dropMembers(
      roomId,
      ({ token }) => token !== undefined && epochOf(token) < epoch,
    );
    this.deps.logger.info({ roomId, epoch, dropped }, "room invitations withdrawn");
    return { dropped };
  }

  /** The claims of the join's token; undefined when it has none. */
  claimsOf(payload: JoinPayload): Promise<TokenClaims | undefined> {
    return payload.token === undefined ? Promise.resolve(undefined) : this.verify(payload.token, payload.roomId);
  }

  /** A room made private: whoever came in by the share link alone (no token, no key) is out, on every node. */
  async dropUninvited(roomId: string): Promise<void> {
    await this.deps.lifetime.dropMembers(roomId, ({ token, key }) => token === undefined && !key);
  }

  /** Private rooms admit by token, so a server that signs none cannot hold them. */
  requirePrivateRooms(): void {
    if (!this.deps.tokens.enabled)
      throw new AppError(
        "forbidden",
        "This server issues no tokens (TOKEN_SECRET is not set), so it cannot hold private rooms.",
      );
  }

  /** A token's claims, refused when the room's owner has withdrawn its epoch since. */
  private async verify(token: string, roomId: string): Promise<TokenClaims> {
    const claims = await this.deps.tokens.verify(token, roomId);
    if (claims.epoch < (await this.deps.records.invitationEpoch(roomId))) {
      throw new AppError("forbidden", "This invitation was withdrawn by the room's owner. Ask for a new link.");
    }
    return claims;
  }
}
