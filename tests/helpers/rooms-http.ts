/**
 * The rooms HTTP API from a test: create rooms (POST /api/rooms), read them and their
 * transcripts, and send raw bodies to check what invalid requests get.
 */
import type { CreateRoomInput, CreateRoomResult } from "@tokencast/protocol";

export interface HttpReply {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

export async function request(url: string, init: RequestInit = {}): Promise<HttpReply> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    text,
    json: parseJson(text),
  };
}

/** POSTs `body` to /api/rooms as given (a string is sent verbatim, as `contentType`). */
export function postRooms(baseUrl: string, body: unknown, contentType = "application/json"): Promise<HttpReply> {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  return request(`${baseUrl}/api/rooms`, { method: "POST", headers: { "Content-Type": contentType }, body: payload });
}

/** Creates a room, or throws with what the server said. */
export async function createRoom(baseUrl: string, input: CreateRoomInput): Promise<CreateRoomResult> {
  const reply = await postRooms(baseUrl, input);
  if (reply.status !== 201) throw new Error(`POST /api/rooms answered ${reply.status}: ${reply.text}`);
  return reply.json as CreateRoomResult;
}

/** A viewer's invitation token for a created room (minted with its owner key), or throws with what the server said. */
export async function mintViewerToken(baseUrl: string, created: CreateRoomResult): Promise<string> {
  const reply = await request(`${baseUrl}/api/rooms/${created.room.id}/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-room-key": created.ownerKey },
    body: JSON.stringify({ role: "viewer" }),
  });
  if (reply.status !== 201) throw new Error(`POST /api/rooms/:id/tokens answered ${reply.status}: ${reply.text}`);
  return (reply.json as { token: string }).token;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON (Markdown, HTML): the test reads `text` instead.
    return undefined;
  }
}
