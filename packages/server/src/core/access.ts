/**
 * Roles and permissions: which role a join gets (from the room's secret keys) and whether a
 * member may do something. Keys are random, compared by SHA-256 hash in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { allows, type Member, type PermissionLevel, type Role, type RoomSettings } from "@tokencast/protocol";
import { AppError } from "./errors.ts";
import type { RoomRecord } from "./ports.ts";
import type { TokenClaims } from "./tokens.ts";

/** A new secret key (URL-safe, 128 bits). */
export function newKey(): string {
  return randomBytes(16).toString("base64url");
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

function sameHash(key: string, hash: string): boolean {
  const a = Buffer.from(hashKey(key), "hex");
  const b = Buffer.from(hash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface JoinRequest {
  role?: "participant" | "viewer" | undefined;
  key?: string | undefined;
}

/**
 * The role a join gets: owner or presenter with the matching key; otherwise the role asked for,
 * by default participant in chat rooms and viewer in presentations. A key that opens nothing is
 * refused (`forbidden`), so a mistyped link does not silently demote its holder.
 */
export function roleFor(record: RoomRecord | undefined, settings: RoomSettings, request: JoinRequest): Role {
  if (request.key !== undefined) {
    if (record && sameHash(request.key, record.ownerKeyHash)) return "owner";
    if (record && sameHash(request.key, record.presenterKeyHash)) return "presenter";
    throw new AppError(
      "forbidden",
      "This key does not open this room. Join without it, or ask the owner for a new link.",
    );
  }
  return request.role ?? (settings.mode === "presentation" ? "viewer" : "participant");
}

/**
 * The role a join gets with its credentials: a valid token's role (a token wins over a key),
 * else `roleFor`'s. A private room admits only a token or an owner/presenter key.
 */
export function admittedRole(
  record: RoomRecord | undefined,
  settings: RoomSettings,
  request: JoinRequest,
  claims: TokenClaims | undefined,
): Role {
  if (claims) return claims.role;
  const role = roleFor(record, settings, request);
  if (settings.private && request.key === undefined) {
    throw new AppError(
      "forbidden",
      "This room is private: join with an invitation link (a room token) or the owner's or presenter's link.",
    );
  }
  return role;
}

/** Roles that may mint tokens of `role`: owners any, presenters participant and viewer ones. */
export function requireMayMint(holder: Role, role: Role): void {
  if (holder === "owner") return;
  if (holder === "presenter" && (role === "participant" || role === "viewer")) return;
  throw new AppError("forbidden", `A ${holder} may not create ${role} tokens.`);
}

const WHO: Record<PermissionLevel, string> = {
  owner: "the room's owner",
  presenters: "the owner and presenters",
  anyone: "everyone but viewers",
};

/** Throws `forbidden` unless `member` satisfies `level` for `action` (e.g. "ask the model"). */
export function requireAllowed(level: PermissionLevel, member: Member, action: string): void {
  if (allows(level, member.role)) return;
  throw new AppError("forbidden", `In this room only ${WHO[level]} may ${action} (you are a ${member.role}).`);
}

export function requireOwner(member: Member, action: string): void {
  if (member.role !== "owner") throw new AppError("forbidden", `Only the room's owner may ${action}.`);
}
