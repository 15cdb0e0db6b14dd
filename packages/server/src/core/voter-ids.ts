/**
 * Who votes: a voter id the server signs and the client cannot mint. A connection presents the
 * signed id its browser kept from an earlier join; a forged, altered or absent one is not
 * believed and the connection gets a fresh one. Once a connection has an id it keeps it for its
 * life, so re-joining with other ids cannot vote again: a new identity costs a new connection
 * (and connections are rate-limited per IP).
 *
 * Signed form: `<id>.<mac>`, both base64url; the mac is HMAC-SHA256 over the id with a key
 * derived from a secret every node shares (so an id signed on one node holds on every other).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** A secret every node of the deployment shares; read when needed (it may live in a store). */
export type VoterSecret = () => Promise<string>;

export interface Voter {
  /** What votes are counted by. */
  id: string;
  /** What the client keeps and presents on later joins. */
  signed: string;
}

const ID_BYTES = 16;
const MAC_BYTES = 16;
/** Keeps voter macs apart from anything else the same secret signs (room tokens). */
const KEY_LABEL = "tokencast voter id v1";
/** 16 bytes in base64url, unpadded. */
const BASE64URL_16 = /^[\w-]{22}$/;

/** Issues and checks signed voter ids. */
export class VoterIds {
  /** The mac key of the secret last read: derived once, not on every join (the secret seldom changes). */
  private derived: { secret: string; key: Buffer } | undefined;

  constructor(private readonly secret: VoterSecret) {}

  /** The voter `presented` proves to be, or a fresh one. */
  async admit(presented: string | undefined): Promise<Voter> {
    const key = this.keyOf(await this.secret());
    const id = presented === undefined ? undefined : verifiedId(key, presented);
    return id === undefined ? issue(key) : { id, signed: presented! };
  }

  private keyOf(secret: string): Buffer {
    if (this.derived?.secret !== secret) this.derived = { secret, key: deriveKey(secret) };
    return this.derived.key;
  }
}

/**
 * Each connection's voter, fixed once set: the first join admits one, later joins (with any
 * other id, forged or genuine) get the same.
 */
export class ConnectionVoters {
  private readonly byConnection = new Map<string, Voter>();

  constructor(private readonly ids: VoterIds) {}

  async admit(connectionId: string, presented: string | undefined): Promise<Voter> {
    const known = this.byConnection.get(connectionId);
    if (known) return known;
    const voter = await this.ids.admit(presented);
    // Two joins of one connection may race: the first to finish wins, the other takes its voter.
    const settled = this.byConnection.get(connectionId) ?? voter;
    this.byConnection.set(connectionId, settled);
    return settled;
  }

  /** The id votes of this connection count by; the connection's own id before any join. */
  idOf(connectionId: string): string {
    return this.byConnection.get(connectionId)?.id ?? `connection:${connectionId}`;
  }

  forget(connectionId: string): void {
    this.byConnection.delete(connectionId);
  }
}

function deriveKey(secret: string): Buffer {
  return createHmac("sha256", secret).update(KEY_LABEL).digest();
}

function issue(key: Buffer): Voter {
  const id = randomBytes(ID_BYTES).toString("base64url");
  return { id, signed: `${id}.${macOf(key, id).toString("base64url")}` };
}

function macOf(key: Buffer, id: string): Buffer {
  return createHmac("sha256", key).update(id).digest().subarray(0, MAC_BYTES);
}

/** The id of a well-formed, correctly signed voter id; undefined for anything else. */
function verifiedId(key: Buffer, presented: string): string | undefined {
  const [id, mac, ...rest] = presented.split(".");
  if (id === undefined || mac === undefined || rest.length > 0 || !BASE64URL_16.test(id) || !BASE64URL_16.test(mac))
    return undefined;
  const given = Buffer.from(mac, "base64url");
  const expected = macOf(key, id);
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
}

/** A secret of this process only: right for a single node without TOKEN_SECRET or Redis. */
export function processVoterSecret(): VoterSecret {
  const secret = randomBytes(32).toString("hex");
  return async () => secret;
}
