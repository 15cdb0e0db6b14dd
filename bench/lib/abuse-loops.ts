/**
 * What each socket of the abuse bench's attacker does, as fast as the node lets it:
 * - join flood: join the room with the long history, read older pages (`room:history`, when the
 *   node has it: an unknown event or no ack stops asking), leave, again;
 * - room hog: join fresh ad-hoc rooms, one after another, never leaving; refused for anything but
 *   rate_limited, open another connection (keeping the old one and its rooms) and go on;
 * - queue storm: in a presentation, submit questions and vote on every one; once out of questions
 *   to vote on, join again with a fresh clientId and vote again.
 */
import { randomBytes } from "node:crypto";
import { sleep, type Attack } from "./abuse-attack.ts";
import type { AckResult, RawSocket } from "./raw-sio.ts";

const CONNECT_RETRY_MS = 500;
/** room:history page size the flood asks for (the maximum). */
const HISTORY_PAGE = 100;
/** The room hog opens at most this many connections per socket it starts with. */
const HOG_CONNECTIONS_PER_SOCKET = 10;
const RUN_TAG = randomBytes(3).toString("hex");

/** Runs `session` on a connection, reconnecting (after a pause) while the attack runs. */
async function reconnecting(attack: Attack, session: (socket: RawSocket) => Promise<void>): Promise<void> {
  while (attack.running) {
    const socket = await attack.connect();
    if (socket) await session(socket);
    if (attack.running) await sleep(CONNECT_RETRY_MS);
  }
}

// ---------- join flood ----------

/**
 * The oldest message of the history room, for a `room:history` cursor when a join ack is too big
 * to parse (today's whole-history acks): flood socket 0 parses one such ack whole, once.
 */
let oldestKnown: string | undefined;

export function joinFlood(attack: Attack, index: number): Promise<void> {
  const roomId = attack.plan.historyRoom;
  return reconnecting(attack, async (socket) => {
    while (attack.running && !socket.closed) {
      const parseLimit = index === 0 && oldestKnown === undefined ? Number.POSITIVE_INFINITY : undefined;
      const joined = await attack.call(socket, "room:join", { roomId, name: `flood ${index}` }, parseLimit);
      if (joined.ok && parseLimit !== undefined) oldestKnown = oldestIdIn(joined.body?.messages);
      // A node that pages history says whether there is more (moreHistory); today's sends it all.
      if (joined.ok && joined.body?.moreHistory !== false)
        await readOlderHistory(attack, socket, oldestIdIn(joined.body?.messages) ?? oldestKnown);
      const left = joined.ok ? await attack.call(socket, "room:leave", { roomId }) : joined;
      await attack.pause(left);
    }
  });
}

/** Pages back from `before` while the node says there is more. */
async function readOlderHistory(attack: Attack, socket: RawSocket, before: string | undefined): Promise<void> {
  let cursor = before;
  while (cursor !== undefined && attack.running && attack.notes["room:history unsupported"] === undefined) {
    const page = await attack.call(socket, "room:history", {
      roomId: attack.plan.historyRoom,
      before: cursor,
      limit: HISTORY_PAGE,
    });
    if (!page.ok) return refusedHistory(attack, page);
    attack.note("room:history pages");
    cursor = page.body?.more === true ? oldestIdIn(page.body.messages) : undefined;
  }
}

/** An unknown event (today's node: invalid_payload) or no ack: the node has no room:history. */
async function refusedHistory(attack: Attack, page: AckResult): Promise<void> {
  if (page.code === "invalid_payload" || page.code === "no_ack") attack.notes["room:history unsupported"] = 1;
  await attack.pause(page);
}

function oldestIdIn(messages: unknown): string | undefined {
  const first = Array.isArray(messages) ? (messages[0] as { id?: unknown } | undefined) : undefined;
  return typeof first?.id === "string" ? first.id : undefined;
}

// ---------- room hog ----------

export async function roomHog(attack: Attack, index: number): Promise<void> {
  let socket = await attack.connect();
  let room = 0;
  while (attack.running) {
    if (!socket || socket.closed) {
      await sleep(CONNECT_RETRY_MS);
      socket = await anotherHogSocket(attack, socket);
      continue;
    }
    const joined = await attack.call(socket, "room:join", {
      roomId: `hog-${RUN_TAG}-${index}-${room++}`,
      name: `hog ${index}`,
    });
    if (joined.ok) attack.note("ad-hoc rooms joined");
    else if (joined.code !== "rate_limited" && joined.code !== "no_ack")
      socket = await anotherHogSocket(attack, socket);
    await attack.pause(joined);
  }
}

/** A new connection (the old one stays open, holding its rooms) unless the hog has opened its share. */
async function anotherHogSocket(attack: Attack, current: RawSocket | undefined): Promise<RawSocket | undefined> {
  if (attack.connects >= attack.plan.sockets.hog * HOG_CONNECTIONS_PER_SOCKET) return current;
  return (await attack.connect()) ?? current;
}

// ---------- queue storm ----------

/** The storm's presentation and what its sockets have queued, shared by them. */
export interface StormRoom {
  roomId: string;
  questions: string[];
  full: boolean;
}

export function queueStorm(attack: Attack, index: number, room: StormRoom): Promise<void> {
  return reconnecting(attack, async (socket) => {
    let voted = new Set<string>();
    let result = await joinStorm(attack, socket, room, index);
    while (attack.running && !socket.closed) {
      if (!room.full) result = await submit(attack, socket, room, index);
      const next = room.questions.find((id) => !voted.has(id));
      if (next !== undefined) {
        voted.add(next);
        result = await attack.call(socket, "queue:vote", { roomId: room.roomId, questionId: next });
      } else {
        voted = new Set();
        result = await joinStorm(attack, socket, room, index);
      }
      await attack.pause(result);
    }
  });
}

/** Joins (again) with a fresh clientId: a new voter as far as today's node can tell. */
function joinStorm(attack: Attack, socket: RawSocket, room: StormRoom, index: number): Promise<AckResult> {
  const clientId = randomBytes(8).toString("hex");
  return attack.call(socket, "room:join", { roomId: room.roomId, name: `storm ${index}`, clientId });
}

async function submit(attack: Attack, socket: RawSocket, room: StormRoom, index: number): Promise<AckResult> {
  const nonce = randomBytes(4).toString("hex");
  const text = `Question ${room.questions.length + 1} from storm ${index}: what about ${nonce}?`;
  const result = await attack.call(socket, "queue:submit", { roomId: room.roomId, text });
  const questionId = result.body?.questionId;
  if (typeof questionId === "string") room.questions.push(questionId);
  if (result.code === "queue_full") room.full = true;
  return result;
}
