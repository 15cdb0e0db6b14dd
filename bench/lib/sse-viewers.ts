/**
 * SSE viewers opened from this process (GET /api/rooms/:id/events, one connection each): each
 * counts as open once its first bytes (`retry:`, sent after the join) arrive; the stream is read
 * and dropped, as a consumer that keeps up would.
 */
import { request, type ClientRequest } from "node:http";

/** Opened this many at a time: a burst of joins is paced by the node anyway. */
const BATCH = 25;
const OPEN_TIMEOUT_MS = 30_000;

export interface SseViewers {
  close(): void;
}

export async function openSseViewers(url: string, roomId: string, count: number): Promise<SseViewers> {
  const open: ClientRequest[] = [];
  const viewers = { close: () => open.forEach((req) => req.destroy()) };
  try {
    for (let first = 0; first < count; first += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, count - first) }, () => openOne(url, roomId));
      open.push(...(await Promise.all(batch)));
    }
  } catch (error) {
    viewers.close();
    throw error;
  }
  return viewers;
}

function openOne(url: string, roomId: string): Promise<ClientRequest> {
  return new Promise((resolve, reject) => {
    const headers = { accept: "text/event-stream" };
    const req = request(`${url}/api/rooms/${roomId}/events`, { agent: false, headers });
    const timer = setTimeout(() => reject(new Error("an SSE viewer did not start in time")), OPEN_TIMEOUT_MS);
    req.on("response", (res) => {
      if (res.statusCode !== 200) return reject(new Error(`SSE viewer refused: HTTP ${res.statusCode}`));
      res.once("data", () => {
        clearTimeout(timer);
        resolve(req);
      });
      res.resume();
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}
