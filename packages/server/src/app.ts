import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config.ts";
import type { AnswerLocks, AnswerSource, Logger, RoomStore } from "./core/ports.ts";
import { RoomService } from "./core/room-service.ts";
import { createHttpApp } from "./http/routes.ts";
import { socketBroadcaster } from "./realtime/broadcaster.ts";
import { socketCluster } from "./realtime/cluster.ts";
import { attachRooms, createSocketServer } from "./realtime/socket-server.ts";
import type { IoServer } from "./realtime/types.ts";
import { buildTurns } from "./upstream/prompt.ts";

export interface AppDeps {
  config: Config;
  logger: Logger;
  store: RoomStore;
  locks: AnswerLocks;
  source: AnswerSource;
  /** Named readiness checks for /readyz (e.g. redis), beside the built-in ones. */
  readiness?: () => Record<string, boolean>;
  /** Socket.IO adapter joining this node to others (Redis mode); none on a single node. */
  adapter?: Parameters<IoServer["adapter"]>[0];
}

export interface App {
  http: HttpServer;
  io: IoServer;
  rooms: RoomService;
  listen(): Promise<AddressInfo>;
  /** Stops taking connections, ends answers in progress `interrupted`, closes sockets. */
  close(): Promise<void>;
}

export function createApp({ config, logger, store, locks, source, readiness, adapter }: AppDeps): App {
  const httpApp = createHttpApp({
    clientDir: config.clientDir,
    readiness: async () => ({ server: true, ...readiness?.() }),
    status: () => ({ rooms: rooms.roomCount(), activeAnswers: rooms.activeCount(), demo: source.demo }),
  });
  const http = createServer(httpApp);
  const io = createSocketServer(http);
  if (adapter) io.adapter(adapter);
  const rooms = new RoomService({
    store,
    locks,
    source,
    broadcaster: socketBroadcaster(io),
    logger,
    ...(adapter ? { cluster: socketCluster(io, logger) } : {}),
    buildTurns: (history) => buildTurns(history, { systemPrompt: config.llm.systemPrompt, budgetChars: config.llm.historyChars }),
    limits: {
      maxTextLength: config.rooms.maxTextLength,
      coalesceMs: config.rooms.coalesceMs,
      coalesceMaxChars: config.rooms.coalesceMaxChars,
    },
  });
  attachRooms(io, rooms, logger);

  return {
    http,
    io,
    rooms,
    listen: () =>
      new Promise((resolve, reject) => {
        http.once("error", reject);
        http.listen(config.port, config.host, () => resolve(http.address() as AddressInfo));
      }),
    close: async () => {
      await rooms.shutdown("The server is restarting; this answer was cut short.");
      const closed = io.close();
      // Idle keep-alive HTTP connections would otherwise hold close() for the keep-alive timeout.
      http.closeAllConnections();
      await closed;
    },
  };
}
