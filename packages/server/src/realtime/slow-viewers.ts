import type { Logger } from "../core/ports.ts";
import type { IoServer, IoSocket } from "./types.ts";

/**
 * Sockets whose send buffer is over the bound sit in this room; deltas are broadcast
 * `.except()` it. Room ids cannot contain ':' so it never collides with a chat room.
 */
export const SLOW_ROOM = "tokencast:slow";

export interface SlowViewerOptions {
  /** Past this many bytes waiting to be sent, a socket stops receiving deltas. */
  maxBufferBytes: number;
  /** A socket still over the bound after this long (or over HARD_LIMIT_BYTES) is disconnected. */
  disconnectAfterMs: number;
  checkEveryMs: number;
  /** Hears each slow viewer that caught up (it resyncs from the log). */
  onCaughtUp?: () => void;
}

export interface SlowViewerGuard {
  /**
   * Called before a delta of `bytes` goes to a room. Every quarter of the bound broadcast to a
   * room, its sockets are checked at once: a burst that never yields to the event loop (so the
   * timer cannot run) still cannot queue more than the bound for anyone.
   */
  beforeDelta(roomId: string, bytes: number): void;
  /** Sockets currently skipped. */
  count(): number;
  stop(): void;
}

/**
 * A socket with this much unsent is disconnected at once: a safety valve, since what was queued
 * before it was found slow (one check interval's worth of deltas) still has to go out.
 */
const HARD_LIMIT_BYTES = 16 * 1024 * 1024;

/** Stop measuring a write buffer past this many packets: it is over any sane bound already. */
const MAX_PACKETS_MEASURED = 10_000;

/**
 * DESIGN rule 7: a slow viewer cannot stall a room or grow the server's memory. Every
 * `checkEveryMs` each socket's unsent bytes are measured; over the bound, it stops receiving
 * deltas (everything else still goes out, small and rare). Once it has drained, it receives
 * deltas again; the client sees the seq gap (or `chat:end`'s seq) and resumes from the log.
 */
export function guardSlowViewers(io: IoServer, options: SlowViewerOptions, logger: Logger): SlowViewerGuard {
  const slowSince = new Map<string, number>();
  const check = (socket: IoSocket) => {
    const bytes = pendingBytes(socket);
    const since = slowSince.get(socket.id);
    if (since === undefined) {
      if (bytes <= options.maxBufferBytes) return;
      slowSince.set(socket.id, performance.now());
      void socket.join(SLOW_ROOM);
      logger.info(
        { socketId: socket.id, bytes },
        "slow viewer: deltas paused until it catches up (it resumes from the log)",
      );
    } else if (bytes <= options.maxBufferBytes / 4) {
      slowSince.delete(socket.id);
      void socket.leave(SLOW_ROOM);
      logger.info({ socketId: socket.id, bytes }, "slow viewer caught up: deltas resumed");
      options.onCaughtUp?.();
    } else if (
      bytes > Math.max(HARD_LIMIT_BYTES, options.maxBufferBytes * 4) ||
      performance.now() - since > options.disconnectAfterMs
    ) {
      slowSince.delete(socket.id);
      logger.warn(
        { socketId: socket.id, bytes },
        "slow viewer disconnected (it reconnects and catches up from the log)",
      );
      socket.disconnect(true);
    }
  };
  const sockets = io.of("/").sockets;
  const timer = setInterval(() => {
    for (const socket of sockets.values()) check(socket);
    for (const id of slowSince.keys()) if (!sockets.has(id)) slowSince.delete(id);
  }, options.checkEveryMs);
  timer.unref();
  const sentSinceCheck = new Map<string, number>();
  const checkRoom = (roomId: string) => {
    for (const id of io.of("/").adapter.rooms.get(roomId) ?? []) {
      const socket = sockets.get(id);
      if (socket) check(socket);
    }
  };
  return {
    beforeDelta: (roomId, bytes) => {
      const sent = (sentSinceCheck.get(roomId) ?? 0) + bytes;
      if (sent < options.maxBufferBytes / 4) return void sentSinceCheck.set(roomId, sent);
      sentSinceCheck.delete(roomId);
      checkRoom(roomId);
    },
    count: () => slowSince.size,
    stop: () => clearInterval(timer),
  };
}

interface EngineInternals {
  writeBuffer?: Array<{ data?: unknown }>;
  transport?: { socket?: { bufferedAmount?: number } };
}

/** Bytes queued by engine.io (not yet handed to the transport) plus those the WebSocket holds. */
export function pendingBytes(socket: IoSocket): number {
  const conn = socket.conn as unknown as EngineInternals;
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  const buffer = conn.writeBuffer ?? [];
  for (let i = 0; i < Math.min(buffer.length, MAX_PACKETS_MEASURED); i++) {
    const data = buffer[i]?.data;
    bytes += typeof data === "string" ? data.length : data instanceof Uint8Array ? data.byteLength : 16;
  }
  return bytes;
}
