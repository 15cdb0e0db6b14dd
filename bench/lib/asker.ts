/** The one person who asks: a room member who sends a question, which starts the answer. */
import { io, type Socket } from "socket.io-client";

/** As long as a load generator's viewer waits for its join (swarm.ts): a node fanning out to thousands answers late. */
const ACK_TIMEOUT_MS = 30_000;
/** Tries of a question refused with `store_unavailable`, this long apart. */
const SEND_TRIES = 3;
const SEND_RETRY_MS = 1000;

export async function joinedSocket(url: string, roomId: string, name: string): Promise<Socket> {
  const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("room:join", { roomId, name });
  if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
  return socket;
}

export interface Asker {
  /** Sends a question; resolves once the answer has started. */
  ask(text?: string): Promise<void>;
  close(): void;
}

/** Joins `roomId` through `url` as "asker" and stays until close(). */
export async function joinAsker(url: string, roomId: string): Promise<Asker> {
  const socket = await joinedSocket(url, roomId, "asker");
  return {
    ask: async (text = "go") => {
      for (let tries = 1; ; tries++) {
        const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("chat:send", { roomId, text });
        if (ack.ok) return;
        // "try again shortly": a node whose Redis answered late (a loaded machine) refuses, and a person would retry.
        if (ack.error?.code !== "store_unavailable" || tries === SEND_TRIES) {
          throw new Error(`chat:send failed: ${JSON.stringify(ack)}`);
        }
        await sleep(SEND_RETRY_MS);
      }
    },
    close: () => socket.close(),
  };
}

/** Joins, asks and leaves at once (the asker's join and leave land inside the answer). */
export async function ask(url: string, roomId: string, text = "go"): Promise<void> {
  const asker = await joinAsker(url, roomId);
  try {
    await asker.ask(text);
  } finally {
    asker.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
