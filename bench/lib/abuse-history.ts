/**
 * The abuse bench's history room: `answers` long answers, asked one after another, each by a
 * visitor of its own IP (X-Forwarded-For), so that no per-IP limit on answers bites the setup.
 */
import { io, type Socket } from "socket.io-client";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { TokenUpstream } from "./token-upstream.ts";

const ANSWER_TIMEOUT_MS = 60_000;
const ACK_TIMEOUT_MS = 10_000;

interface Ack {
  ok: boolean;
  replyId?: string;
  error?: { code?: string };
}

/** Asks one question in `roomId` as a visitor from `ip`; resolves when its answer has ended. */
async function askOne(url: string, roomId: string, ip: string): Promise<void> {
  const socket: Socket = io(url, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    extraHeaders: { "x-forwarded-for": ip },
  });
  try {
    const ended = new Set<string>();
    socket.on("chat:end", (end: { messageId: string }) => ended.add(end.messageId));
    const joined = (await socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("room:join", { roomId, name: `history ${ip}` })) as Ack;
    if (!joined.ok) throw new Error(`history room join refused: ${JSON.stringify(joined)}`);
    const sent = (await socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("chat:send", { roomId, text: "Tell me everything, at length." })) as Ack;
    if (!sent.ok || sent.replyId === undefined) throw new Error(`history question refused: ${JSON.stringify(sent)}`);
    const replyId = sent.replyId;
    await waitFor(() => ended.has(replyId), { timeoutMs: ANSWER_TIMEOUT_MS, what: "a history answer to end" });
  } finally {
    socket.close();
  }
}

/** Fills `roomId` with `answers` answers of `tokens` tokens each (written by the upstream in one burst). */
export async function fillHistory(
  url: string,
  roomId: string,
  upstream: TokenUpstream,
  answers: number,
  tokens: number,
): Promise<void> {
  upstream.plan = { tokens, tokensPerSecond: 1000, burst: tokens };
  for (let i = 0; i < answers; i++) await askOne(url, roomId, `10.250.${Math.floor(i / 250)}.${(i % 250) + 1}`);
}
