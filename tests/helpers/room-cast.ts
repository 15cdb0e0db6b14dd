/**
 * A created room with one member of each role joined (owner Olga, presenter Pam, participant
 * Pat, viewer Vic), and readers of what the fake upstream was asked.
 */
import type { CreateRoomInput, CreateRoomResult } from "@tokencast/protocol";
import type { RecordedRequest } from "./fake-upstream.ts";
import { joinAs, type RoomMember } from "./room-member.ts";
import { createRoom } from "./rooms-http.ts";

export interface Cast {
  roomId: string;
  created: CreateRoomResult;
  owner: RoomMember;
  presenter: RoomMember;
  participant: RoomMember;
  viewer: RoomMember;
}

export const NAMES = { owner: "Olga", presenter: "Pam", participant: "Pat", viewer: "Vic" } as const;

/** Creates a room and joins one member per role, most powerful first. */
export async function castOf(url: string, input: CreateRoomInput): Promise<Cast> {
  const created = await createRoom(url, input);
  const roomId = created.room.id;
  const { member: owner } = await joinAs(url, { roomId, name: NAMES.owner, key: created.ownerKey });
  const { member: presenter } = await joinAs(url, { roomId, name: NAMES.presenter, key: created.presenterKey });
  const { member: participant } = await joinAs(url, { roomId, name: NAMES.participant, role: "participant" });
  const { member: viewer } = await joinAs(url, { roomId, name: NAMES.viewer, role: "viewer" });
  return { roomId, created, owner, presenter, participant, viewer };
}

interface UpstreamBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
}

export function upstreamBody(request: RecordedRequest | undefined): UpstreamBody {
  if (!request) throw new Error("the upstream received no such request");
  return request.body as UpstreamBody;
}

/** The chat turns of an upstream request as [role, content] pairs. */
export function turnsOf(request: RecordedRequest | undefined): Array<[string, string]> {
  return upstreamBody(request).messages.map((m) => [m.role, m.content]);
}

/** The text of an answer as one member received it (its deltas in order). */
export function textOf(member: RoomMember, messageId: string): string {
  return member
    .all("chat:delta")
    .filter((d) => d.messageId === messageId)
    .sort((a, b) => a.seq - b.seq)
    .map((d) => d.text)
    .join("");
}
