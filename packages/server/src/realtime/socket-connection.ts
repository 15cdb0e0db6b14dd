import { unmetered, type ByteBudget, type Meter } from "./byte-budget.ts";
import type { Connection } from "./socket-handlers.ts";
import type { IoSocket } from "./types.ts";

/**
 * One Socket.IO connection as its handlers see it. Its meter is made when a join or a history read
 * asks for it, not kept: an idle viewer holds no closure over its IP's byte budget.
 */
export class SocketConnection implements Connection {
  constructor(
    readonly socket: IoSocket,
    readonly ip: string,
    private readonly budget?: ByteBudget,
  ) {}

  get meter(): Meter {
    return this.budget ? this.budget.meterFor(this.ip) : unmetered;
  }
}
