/**
 * Signed room tokens (JWT, HS256 with TOKEN_SECRET): claims `room`, `role`, optional `name`,
 * required `exp` (`iat` / `nbf` honoured), `gen` (the room's invitation epoch when minted;
 * absent: 0 — the room service refuses tokens of a withdrawn epoch). Expired → `token_expired`; anything else
 * wrong (bad signature, another room, another algorithm, malformed, no `exp`) → `forbidden`.
 */
import { decodeJwt, errors, jwtVerify, SignJWT } from "jose";
import { ROLES, nameSchema, type Role } from "@tokencast/protocol";
import { AppError } from "./errors.ts";

export interface TokenClaims {
  role: Role;
  /** The holder's display name; absent: the name given on joining. */
  name?: string;
}

export interface VerifiedClaims extends TokenClaims {
  /** The room's invitation epoch the token was minted under. */
  epoch: number;
}

export interface MintRequest extends TokenClaims {
  roomId: string;
  ttlSeconds: number;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 60 * 60;
export const MAX_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
const ALGORITHM = "HS256";
const NO_SECRET = "This server issues no tokens (TOKEN_SECRET is not set).";

export class RoomTokens {
  private readonly key: Uint8Array | undefined;

  constructor(secret: string | undefined) {
    this.key = secret === undefined ? undefined : new TextEncoder().encode(secret);
  }

  /** True when this server can sign and verify tokens (and so hold private rooms). */
  get enabled(): boolean {
    return this.key !== undefined;
  }

  /** Throws `invalid_payload` for a name a join would refuse: a token must never carry one. */
  async mint(request: MintRequest, epoch = 0): Promise<{ token: string; expiresAt: number }> {
    const expiresAt = Math.floor(Date.now() / 1000) + request.ttlSeconds;
    const name = request.name === undefined ? undefined : mintableName(request.name);
    const claims = { room: request.roomId, role: request.role, gen: epoch, ...(name !== undefined ? { name } : {}) };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM })
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(this.requireKey());
    return { token, expiresAt: expiresAt * 1000 };
  }

  /** The token's claims when it is valid for `roomId`; throws `token_expired` or `forbidden`. */
  async verify(token: string, roomId: string): Promise<VerifiedClaims> {
    const key = this.requireKey();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: [ALGORITHM], requiredClaims: ["exp"] }));
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new AppError("token_expired", "This room token has expired. Ask the room's owner for a new link.");
      throw new AppError("forbidden", "This room token is not valid.");
    }
    return claimsFor(payload, roomId);
  }

  private requireKey(): Uint8Array {
    if (!this.key) throw new AppError("forbidden", NO_SECRET);
    return this.key;
  }
}

function claimsFor(payload: Record<string, unknown>, roomId: string): VerifiedClaims {
  if (payload.room !== roomId) throw new AppError("forbidden", "This room token is for another room.");
  const role = payload.role;
  if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role))
    throw new AppError("forbidden", "This room token names no valid role.");
  const epoch = payload.gen ?? 0;
  if (!Number.isSafeInteger(epoch) || (epoch as number) < 0)
    throw new AppError("forbidden", "This room token's invitation epoch is not valid.");
  if (payload.name === undefined) return { role: role as Role, epoch: epoch as number };
  const name = nameSchema.safeParse(payload.name);
  if (!name.success) throw new AppError("forbidden", "This room token's name is not valid.");
  return { role: role as Role, name: name.data, epoch: epoch as number };
}

/** The name as a join would keep it (normalised), or `invalid_payload`. */
function mintableName(raw: string): string {
  const name = nameSchema.safeParse(raw);
  if (!name.success)
    throw new AppError(
      "invalid_payload",
      `Invalid token name: ${name.error.issues[0]?.message ?? "not a valid display name"}.`,
    );
  return name.data;
}

/** The `gen` claim of a token this server signed and verified before (no signature check). */
export function epochOf(token: string): number {
  try {
    const gen = decodeJwt(token).gen ?? 0;
    return Number.isSafeInteger(gen) ? (gen as number) : 0;
  } catch {
    return 0; // not a JWT: it was never admitted, so it is at the first epoch at most
  }
}
