/**
 * The HTTP side of rooms: create one (`POST /api/rooms`), read one (`GET /api/rooms/:id`),
 * and the transcript download links. Failures become RequestErrors with the server's code.
 */
import type { CreateRoomInput, CreateRoomResult, ErrorPayload, RoomInfo } from "@tokencast/protocol";
import { RequestError } from "./socket-request.ts";

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface RoomSummary {
  room: RoomInfo;
  memberCount: number;
}

export type TranscriptFormat = "md" | "json";

export interface InviteRequest {
  role: "participant" | "viewer";
  name?: string;
  ttlSeconds?: number;
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

  /** `undefined` when the room was never created (an ad-hoc room may still be joined). */
  async get(roomId: string): Promise<RoomSummary | undefined> {
    try {
      return await this.call<RoomSummary>(`/api/rooms/${encodeURIComponent(roomId)}`);
    } catch (error) {
      if (error instanceof RequestError && error.code === "not_found") return undefined;
      throw error;
    }
  }

  /** A signed invitation token (`POST /api/rooms/:id/tokens`), minted with the owner's or presenter's key. */
  async mintToken(roomId: string, key: string, request: InviteRequest): Promise<MintedToken> {
    const init = { method: "POST", headers: { "content-type": "application/json", "x-room-key": key }, body: JSON.stringify(request) };
    return this.call<MintedToken>(`/api/rooms/${encodeURIComponent(roomId)}/tokens`, init);
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    let response: Response;
    try {
      response = await this.fetcher(this.base + path, init);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RequestError({ code: "internal_error", message: `Could not reach the server: ${reason}` }, true);
    }
    const body = await response.json().catch(() => undefined);
    if (response.ok && isObject(body) && body.ok !== false) return body as T;
    throw new RequestError(errorOf(response.status, body));
  }
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
