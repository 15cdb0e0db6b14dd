import type { StopRequest } from "@tokencast/protocol";
import type { Cluster, Logger } from "../core/ports.ts";
import type { IoServer } from "./types.ts";

/** Node-to-node requests over Socket.IO's server-side events (carried by the Redis adapter). */
export function socketCluster(io: IoServer, logger: Logger): Cluster {
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
  };
}
