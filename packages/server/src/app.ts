import { createServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config.ts";
import type { AnswerSource, Cluster, Logger } from "./core/ports.ts";
import { TokenQuotas } from "./core/quotas.ts";
import { RoomService } from "./core/room-service.ts";
import { RoomWindows } from "./core/room-windows.ts";
import { SharedWindows } from "./core/shared-windows.ts";
import { RoomTokens } from "./core/tokens.ts";
import { Upkeep } from "./core/upkeep.ts";
import { processVoterSecret, VoterIds, type VoterSecret } from "./core/voter-ids.ts";
import { createRoomEvents, type RoomEvents } from "./http/room-events.ts";
import { openRoomViewer, type RoomViewerDeps } from "./http/room-viewer.ts";
import { requestLimits } from "./http/request-limits.ts";
import { createHttpApp } from "./http/routes.ts";
import { createMetrics, type PromMetrics } from "./observability/metrics.ts";
import { metricsHandler } from "./observability/metrics-route.ts";
import { createUpstreamProbe, type UpstreamProbe } from "./observability/upstream-probe.ts";
import { roomsApi } from "./http/rooms-api.ts";
import { modelsApi } from "./http/models-api.ts";
import { ModelList } from "./core/model-list.ts";
import { resyncLocalRooms, socketBroadcaster } from "./realtime/broadcaster.ts";
import { socketCluster } from "./realtime/cluster.ts";
import { guardSlowViewers, type SlowViewerGuard } from "./realtime/slow-viewers.ts";
import { clientIp } from "./realtime/client-ip.ts";
import { actionBudget } from "./realtime/action-budget.ts";
import { createByteBudget } from "./realtime/byte-budget.ts";
import { attachDirectMembers } from "./realtime/direct-members.ts";
import { paceFanOut } from "./realtime/paced-fan-out.ts";
import { createEventLimits } from "./realtime/rate-limits.ts";
import { attachRooms, createSocketServer } from "./realtime/socket-server.ts";
import type { IoServer } from "./realtime/types.ts";
import type { Backend } from "./store/backend.ts";
import { buildTurns } from "./upstream/prompt.ts";

/** What the app runs on: the backend's parts (store/backend.ts) and what main.ts adds. */
export interface AppDeps extends Omit<Backend, "close"> {
  config: Config;
  logger: Logger;
  source: AnswerSource;
  /** This app's Prometheus registry (main.ts makes it first, to count Redis errors); else its own. */
  metrics?: PromMetrics;
}

export interface App {
  http: HttpServer;
  io: IoServer;
  rooms: RoomService;
  listen(): Promise<AddressInfo>;
  /**
   * Drains the node: stops taking connections and questions, lets answers in progress finish
   * (up to SHUTDOWN_GRACE_MS, then ends them `interrupted`), closes sockets.
   */
  close(): Promise<void>;
}

const SLOW_VIEWER_CHECK_MS = 250;
/** /readyz reports the LLM server as last probed this often, each probe waiting at most UPSTREAM_PROBE_TIMEOUT_MS. */
const UPSTREAM_PROBE_EVERY_MS = 10_000;
const UPSTREAM_PROBE_TIMEOUT_MS = 2000;
/** The model picker's list is asked of the LLM server at most this often, each time waiting at most the timeout. */
const MODEL_LIST_TTL_MS = 30_000;
const MODEL_LIST_TIMEOUT_MS = 3000;
const SHUTDOWN_REASON = "The server is restarting; this answer was cut short.";
/** Connections waiting to be accepted (Node: 511). */
const LISTEN_BACKLOG = 4096;

export function createApp(deps: AppDeps): App {
  const { config, logger, source, adapter } = deps;
  let draining = false;
  const metrics = deps.metrics ?? createMetrics();
  const upstream = upstreamProbe(config, source.demo, logger);
  const requestIp = (req: IncomingMessage) =>
    clientIp(req.socket.remoteAddress ?? "", req.headers["x-forwarded-for"], config.trustProxy);
  const roomEvents = createRoomEvents({
    openViewer: (ip) => openRoomViewer(viewers, ip), // called per request, once everything below exists
    heartbeatMs: config.sse.heartbeatMs,
    clientIp: requestIp,
    maxBufferBytes: config.slowViewers.maxBufferBytes,
    logger,
  });
  const limits = requestLimits(config.requestLimits, requestIp, logger, deps.limiters);
  const httpApp = createHttpApp({
    clientDir: config.clientDir,
    readiness: async () => ({ server: !draining, upstream: upstream?.reachable() ?? true, ...deps.readiness?.() }),
    status: () => ({
      node: config.nodeId,
      rooms: rooms.roomCount(),
      activeAnswers: rooms.activeCount(),
      demo: source.demo,
    }),
    roomEvents: roomEvents.handler,
    roomsApi: roomsApi({
      rooms: () => rooms,
      logger,
      creationLimit: limits.roomCreations,
      joinCodeLimit: limits.joinCodeLookups,
    }),
    modelsApi: modelsApi(new ModelList({ source, logger, ttlMs: MODEL_LIST_TTL_MS, timeoutMs: MODEL_LIST_TIMEOUT_MS })),
    metrics: metricsHandler(metrics.registry, config.metricsToken),
    requestLimits: limits.requests,
    corsOrigins: config.corsOrigins,
    logger,
  });
  const http = createServer(httpApp);
  const io = createSocketServer(http, config.corsOrigins, config.maxPacketBytes);
  if (adapter) io.adapter(adapter);
  const members = attachDirectMembers(io.of("/").adapter); // SSE viewers: room members in process
  const onCaughtUp = () => metrics.recorder.resync("slow_viewer");
  const slowViewers = guardSlowViewers(
    io,
    { ...config.slowViewers, checkEveryMs: SLOW_VIEWER_CHECK_MS, onCaughtUp },
    logger,
  );
  const cluster = adapter ? socketCluster(io, logger, config.nodeId) : undefined;
  const windows = sharedWindows(config, cluster);
  paceFanOut(io, windows); // after the direct members: their fan-out counts too
  const rooms = createRoomService({ ...deps, metrics }, io, slowViewers, { windows, cluster });
  const sockets = () => io.of("/").sockets.size;
  metrics.watch({
    sockets,
    sseViewers: () => members.count(),
    rooms: () => rooms.localRooms().length,
    coalesceWindowMs: () => windows.widestMs(),
    widenedRooms: () => windows.widenedRooms(),
  });
  const events = createEventLimits(config.rateLimits, logger, deps.limiters);
  const bytes = createByteBudget(
    { ...config.byteLimits, replyBytes: config.joinHistory.maxBytes },
    logger,
    deps.limiters,
  );
  attachRooms(io, rooms, logger, { events, bytes, trustedHops: config.trustProxy });
  const viewers: RoomViewerDeps = { rooms, members, events, bytes, logger };
  const upkeep = new Upkeep(rooms.upkeepTasks(), logger);
  deps.onStoreReconnect?.(() => {
    metrics.recorder.resync("store_reconnect", rooms.localRooms().length);
    void storeIsBack(rooms, io, logger);
  });

  return {
    http,
    io,
    rooms,
    listen: async () => {
      await rooms.heartbeat().catch(() => undefined); // Redis may still be connecting: the upkeep retries.
      upkeep.start();
      upstream?.start();
      return new Promise((resolve, reject) => {
        http.once("error", reject);
        // A join storm opens thousands of connections within seconds while the loop is busy: a
        // deeper accept queue than Node's 511 keeps them waiting instead of reset (the kernel caps
        // it at net.core.somaxconn).
        const options = { port: config.port, host: config.host, backlog: LISTEN_BACKLOG };
        http.listen(options, () => resolve(http.address() as AddressInfo));
      });
    },
    close: async () => {
      draining = true;
      rooms.stopTakingWork();
      http.close(); // no new connections: a load balancer sends newcomers to other nodes
      // With other nodes, viewers move there now and keep watching (this node still streams
      // its answers through Redis); alone, they stay until the answers end.
      if (adapter) closeViewers(io, roomEvents);
      await rooms.drain(config.shutdownGraceMs, SHUTDOWN_REASON);
      upkeep.stop();
      upstream?.stop();
      slowViewers.stop();
      await closeConnectionsGracefully(io);
      await roomEvents.close(); // SSE streams end cleanly before their connections are closed
      const closed = io.close();
      // Idle keep-alive HTTP connections would otherwise hold close() for the keep-alive timeout.
      http.closeAllConnections();
      await closed;
    },
  };
}

/** This node's coalescing windows, told to and heard from the other nodes when there are any. */
function sharedWindows(config: Config, cluster: Cluster | undefined): SharedWindows {
  const { coalesceMs, coalesceMaxMs, coalesceBusyShare } = config.rooms;
  const local = new RoomWindows({ minMs: coalesceMs, maxMs: coalesceMaxMs, busyShare: coalesceBusyShare });
  const windows = new SharedWindows({ local, minMs: coalesceMs, ...(cluster ? { tell: cluster.shareWindow } : {}) });
  cluster?.onWindow((notice) => windows.hear(notice));
  return windows;
}

function createRoomService(
  deps: AppDeps & { metrics: PromMetrics },
  io: IoServer,
  slowViewers: SlowViewerGuard,
  { windows, cluster }: { windows: SharedWindows; cluster: Cluster | undefined },
): RoomService {
  const { config, logger, store, locks, directory, source, records, queue, slots } = deps;
  return new RoomService({
    store,
    records,
    queue,
    slots,
    quotas: new TokenQuotas(deps.limiters.counters(config.quotas.windowSeconds), config.quotas, logger),
    locks,
    directory,
    source,
    broadcaster: socketBroadcaster(io, slowViewers, cluster !== undefined),
    windows,
    logger,
    metrics: deps.metrics.recorder,
    ...(cluster ? { cluster } : {}),
    tokens: new RoomTokens(config.tokenSecret),
    budgets: {
      adhocRooms: actionBudget(
        { perWindow: config.budgets.adhocRoomsPerHour, windowSeconds: 3600, name: "adhoc-rooms" },
        logger,
        deps.limiters,
      ),
      answers: actionBudget(
        { perWindow: config.budgets.answersPerMinute, windowSeconds: 60, name: "answers" },
        logger,
        deps.limiters,
      ),
    },
    voterIds: new VoterIds(voterSecretOf(config.tokenSecret, deps.voterSecret)),
    buildTurns: (history, systemPrompt) =>
      buildTurns(history, {
        systemPrompt: systemPrompt ?? config.llm.systemPrompt,
        budgetChars: config.llm.historyChars,
      }),
    limits: {
      maxTextLength: config.rooms.maxTextLength,
      coalesceMs: config.rooms.coalesceMs,
      coalesceMaxChars: config.rooms.coalesceMaxChars,
      abandonedAnswerGraceMs: config.llm.abandonedAnswerGraceMs,
      ...config.capacity,
    },
    history: config.joinHistory,
    ...(config.llm.continues
      ? { continuation: { nodeId: config.nodeId, maxContinuations: config.llm.maxContinuations } }
      : {}),
  });
}

/** TOKEN_SECRET when set (every node has it), else the shared one, else one of this process. */
function voterSecretOf(tokenSecret: string | undefined, shared: VoterSecret | undefined): VoterSecret {
  if (tokenSecret !== undefined) return async () => tokenSecret;
  return shared ?? processVoterSecret();
}

/** Watches the LLM server for /readyz; none for the demo model (always ready). */
function upstreamProbe(config: Config, demo: boolean, logger: Logger): UpstreamProbe | undefined {
  if (demo || !config.llm.baseUrl) return undefined;
  return createUpstreamProbe({
    baseUrl: config.llm.baseUrl,
    everyMs: UPSTREAM_PROBE_EVERY_MS,
    timeoutMs: UPSTREAM_PROBE_TIMEOUT_MS,
    logger,
  });
}

/** Closes every client connection and event stream (new streams are refused): they reconnect elsewhere. */
function closeViewers(io: IoServer, roomEvents: RoomEvents): void {
  closeConnections(io);
  void roomEvents.close();
}

/** Closes every client connection without a disconnect packet: clients reconnect (elsewhere). */
function closeConnections(io: IoServer): void {
  for (const socket of io.of("/").sockets.values()) socket.conn.close();
}

/** How long the last events (e.g. the final chat:end) may take to reach clients at shutdown. */
const FLUSH_AT_CLOSE_MS = 2000;

/** Closes client connections once what is queued for them is sent (up to FLUSH_AT_CLOSE_MS). */
async function closeConnectionsGracefully(io: IoServer): Promise<void> {
  closeConnections(io);
  const deadline = performance.now() + FLUSH_AT_CLOSE_MS;
  while (io.of("/").sockets.size > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** After a Redis outage: list our members again and tell our viewers to resync what they missed. */
async function storeIsBack(rooms: RoomService, io: IoServer, logger: Logger): Promise<void> {
  logger.info({}, "redis is back: restoring members and asking viewers to resync");
  resyncLocalRooms(io, rooms.localRooms());
  try {
    await rooms.restoreMembers();
    // Redis may have come back empty: a created room whose record is lost is gone, not public.
    await rooms.closeGoneRooms();
  } catch (error) {
    logger.warn({ err: error }, "could not restore members after redis came back");
  }
}
