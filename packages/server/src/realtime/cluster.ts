import type { StopRequest, WindowNotice } from "@tokencast/protocol";
import type { Cluster, Logger } from "../core/ports.ts";
import type { IoServer } from "./types.ts";

/** Node-to-node requests over Socket.IO's server-side events (carried by the Redis adapter); `node`: this node's id. */
export function socketCluster(io: IoServer, logger: Logger, node: string): Cluster {
  return {
    requestStop: async (request: StopRequest) => {
      try {
        // Times out after the adapter's requestsTimeout (see store/redis-connection.ts).
        const answers = await io.serverSideEmitWithAck("answer:stop", request);
        return answers.some(Boolean);
      } catch (error) {
        // Some node did not answer in time (it may be dying): treat as "nobody stopped it".
        logger.warn({ err: error, ...request }, "stop request to other nodes timed out");
        return false;
      }
    },
    onStopRequest: (handler) => {
      io.on("answer:stop", (request, ack) => ack(handler(request)));
    },
    shareWindow: (roomId, ms) => void io.serverSideEmit("window:share", { roomId, node, ms }),
    onWindow: (handler) => {
      io.on("window:share", (notice) => {
        if (isWindowNotice(notice)) handler(notice);
      });
    },
  };
}

/** Another node's notice, checked anyway: a node of another version may say something else. */
function isWindowNotice(notice: unknown): notice is WindowNotice {
  const { roomId, node, ms } = (notice ?? {}) as Partial<WindowNotice>;
  return typeof roomId === "string" && typeof node === "string" && typeof ms === "number" && Number.isFinite(ms);
}
