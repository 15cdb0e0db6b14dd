/**
 * A crowd of bare viewers: each one WebSocket speaking just enough engine.io v4 / Socket.IO to
 * join a room (open "0" → "40"; "40" → join "420[…]"; ack "430[…]"), answer pings ("2" → "3")
 * and count what it receives, without decoding it. Cheap enough for a test process to hold a
 * thousand or more beside the real clients that check the text.
 */
import WebSocket from "ws";
import { waitFor } from "./wait.ts";

const JOINS_AT_ONCE = 100;
const END_FRAME = '42["chat:end",';

export interface Crowd {
  /** How many `chat:end` events each viewer received so far, in join order. */
  endsHeard(): number[];
  close(): void;
}

class BareViewer {
  private readonly ws: WebSocket;
  readonly joined: Promise<void>;
  ends = 0;

  constructor(url: string, roomId: string, name: string) {
    this.ws = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
    });
    const join = `420${JSON.stringify(["room:join", { roomId, name, role: "viewer" }])}`;
    this.joined = new Promise((resolve, reject) => {
      this.ws.on("message", (data: Buffer) => this.receive(data, join, resolve, reject));
      this.ws.on("error", reject);
      this.ws.on("close", () => reject(new Error(`${name} was disconnected`)));
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private receive(data: Buffer, join: string, joined: () => void, refused: (error: Error) => void): void {
    const head = data.subarray(0, END_FRAME.length).toString();
    if (head === END_FRAME) this.ends++;
    else if (head === "2") this.ws.send("3");
    else if (head.startsWith("0")) this.ws.send("40");
    else if (head.startsWith("40")) this.ws.send(join);
    else if (head.startsWith("430")) {
      const ok = data.subarray(0, 64).toString().startsWith('430[{"ok":true');
      if (ok) joined();
      else refused(new Error(`join refused: ${data.subarray(0, 200).toString()}`));
    }
  }
}

/** Joins `count` bare viewers to the room, JOINS_AT_ONCE at a time; resolves once all are in. */
export async function joinCrowd(url: string, roomId: string, count: number): Promise<Crowd> {
  const viewers: BareViewer[] = [];
  const crowd: Crowd = {
    endsHeard: () => viewers.map((v) => v.ends),
    close: () => viewers.forEach((v) => v.close()),
  };
  try {
    for (let first = 0; first < count; first += JOINS_AT_ONCE) {
      const batch = Array.from(
        { length: Math.min(JOINS_AT_ONCE, count - first) },
        (_, i) => new BareViewer(url, roomId, `crowd-${first + i + 1}`),
      );
      viewers.push(...batch);
      await Promise.all(batch.map((v) => v.joined));
    }
  } catch (error) {
    crowd.close();
    throw error;
  }
  return crowd;
}

/** Waits until every viewer of the crowd has heard `ends` chat:end events. */
export async function crowdHeardEnds(crowd: Crowd, ends: number, timeoutMs = 15_000): Promise<void> {
  await waitFor(() => crowd.endsHeard().every((n) => n >= ends), {
    timeoutMs,
    intervalMs: 50,
    what: `every viewer of the crowd to hear ${ends} chat:end`,
  });
}
