/**
 * The HTTP side of rooms: create one (`POST /api/rooms`), read one (`GET /api/rooms/:id`), look
 * a join code up (`GET /api/join-codes/:code`), and the transcript download links. Failures
 * become RequestErrors with the server's code.
 */
import type {
  CreateRoomInput,
  CreateRoomResult,
  ErrorPayload,
  JoinCodeResult,
  ModelsResult,
  RoomInfo,
} from "@tokencast/protocol";
import { RequestError } from "@tokencast/sdk";

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface RoomSummary {
  room: RoomInfo;
  memberCount: number;
}

export type TranscriptFormat = "md" | "json";

export interface InviteRequest {
  /** Presenter invitations only with the owner's credentials. */
  role: "presenter" | "participant" | "viewer";
  name?: string;
  ttlSeconds?: number;
}

/** A room key (owner, presenter) and/or a signed room token: what a private room's requests need. */
export interface RoomCredentials {
  key?: string | undefined;
  token?: string | undefined;
}

export interface Transcript {
  blob: Blob;
  filename: string;
}

export interface MintedToken {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** `base` is the server's origin ("" for the page's own). */
export class RoomsApi {
  constructor(
    private readonly base = "",
    private readonly fetcher: Fetch = (input, init) => globalThis.fetch(input, init),
  ) {}

  async create(input: CreateRoomInput): Promise<CreateRoomResult> {
    const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) };
    return this.call<CreateRoomResult>("/api/rooms", init);
  }

  /**
   * `undefined` when the room was never created (an ad-hoc room may still be joined). A private room needs
   * credentials.
   */
  async get(roomId: string, credentials: RoomCredentials = {}): Promise<RoomSummary | undefined> {
    try {
      return await this.call<RoomSummary>(`/api/rooms/${encodeURIComponent(roomId)}`, {
        headers: credentialHeaders(credentials),
      });
    } catch (error) {
      if (error instanceof RequestError && error.code === "not_found") return undefined;
      throw error;
    }
  }

  /**
   * A signed invitation token (`POST /api/rooms/:id/tokens`), minted with the owner's or presenter's key
   * (or an owner token).
   */
  async mintToken(roomId: string, credentials: RoomCredentials, request: InviteRequest): Promise<MintedToken> {
    const headers = { "content-type": "application/json", ...credentialHeaders(credentials) };
    const init = { method: "POST", headers, body: JSON.stringify(request) };
    return this.call<MintedToken>(`/api/rooms/${encodeURIComponent(roomId)}/tokens`, init);
  }

  /** The models the LLM server offers (`GET /api/models`), for the model picker; an empty list when unknown. */
  async models(): Promise<ModelsResult> {
    return this.call<ModelsResult>("/api/models");
  }

  /** Withdraws every invitation token of the room (owner only); people who joined with one are dropped. */
  async revokeTokens(roomId: string, credentials: RoomCredentials): Promise<{ dropped: number }> {
    return this.call<{ dropped: number }>(`/api/rooms/${encodeURIComponent(roomId)}/tokens/revoke`, {
      method: "POST",
      headers: credentialHeaders(credentials),
    });
  }

  /** The room a join code names (`GET /api/join-codes/:code`): `not_found`, or `rate_limited` after many tries. */
  async roomOfJoinCode(code: string): Promise<string> {
    return (await this.call<JoinCodeResult>(`/api/join-codes/${encodeURIComponent(code)}`)).roomId;
  }

  /** The room's transcript as a file, fetched with this member's key or token (a private room needs one). */
  async transcript(roomId: string, format: TranscriptFormat, credentials: RoomCredentials = {}): Promise<Transcript> {
    const response = await this.send(transcriptPath(roomId, format), { headers: credentialHeaders(credentials) });
    if (!response.ok) throw new RequestError(errorOf(response.status, await response.json().catch(() => undefined)));
    return { blob: await response.blob(), filename: `${roomId}.${format}` };
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await this.send(path, init);
    const body = await response.json().catch(() => undefined);
    if (response.ok && isObject(body) && body.ok !== false) return body as T;
    throw new RequestError(errorOf(response.status, body));
  }

  private async send(path: string, init?: RequestInit): Promise<Response> {
    try {
      return await this.fetcher(this.base + path, init);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RequestError({ code: "internal_error", message: `Could not reach the server: ${reason}` }, true);
    }
  }
}

/**
 * Headers carrying credentials: the token as a bearer token, the key as X-Room-Key (never in the URL, so never
 * in logs).
 */
function credentialHeaders(credentials: RoomCredentials): Record<string, string> {
  return {
    ...(credentials.token !== undefined ? { authorization: `Bearer ${credentials.token}` } : {}),
    ...(credentials.key !== undefined ? { "x-room-key": credentials.key } : {}),
  };
}

/** The download link of a room's transcript. */
export function transcriptPath(roomId: string, format: TranscriptFormat): string {
  return `/api/rooms/${encodeURIComponent(roomId)}/transcript?format=${format}`;
}

/** The invitation link of a room token: the room's path with `#token=` (kept out of requests and logs). */
export function invitePath(roomId: string, token: string): string {
  return `/r/${encodeURIComponent(roomId)}#token=${encodeURIComponent(token)}`;
}

/** A path the server returned (`/r/<id>#key=…`) as a full URL on `origin`. */
export function absoluteLink(path: string, origin: string): string {
  return new URL(path, origin).href;
}

function errorOf(status: number, body: unknown): ErrorPayload {
  const error = isObject(body) && isObject(body.error) ? body.error : undefined;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    return error as unknown as ErrorPayload;
  }
  const code = status === 404 ? "not_found" : "internal_error";
  return { code, message: `The server answered ${status}.` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
