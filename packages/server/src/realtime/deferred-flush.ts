/**
 * engine.io writes a packet to its transport as soon as it is queued (`sendPacket` → `flush`).
 * While `collectFlushes` runs, a flush is put off instead: the packet stays in the connection's
 * `writeBuffer`, in order, and the connection is collected to be flushed later. Any later packet
 * to that connection (an ack, the next event) flushes its whole buffer first, so what one
 * connection receives keeps its order whoever flushes it.
 */

/** What is used of an engine.io connection (engine.io's Socket; its `flush` is public API). */
export interface EngineConnection {
  flush(): void;
}

/** The connections whose flush was put off during the current collection, if one is running. */
let collecting: EngineConnection[] | undefined;
const patched = new WeakSet<object>();

/** Puts off the flushes `send` causes; returns the connections to flush (each once). */
export function collectFlushes(send: () => void): EngineConnection[] {
  const collected: EngineConnection[] = [];
  collecting = collected;
  try {
    send();
  } finally {
    collecting = undefined;
  }
  return collected;
}

/**
 * Makes every connection of this class able to put off its flush (engine.io's Socket prototype,
 * patched once per process: outside `collectFlushes` a flush behaves exactly as before).
 */
export function deferrableFlushes(connection: EngineConnection): void {
  const prototype = Object.getPrototypeOf(connection) as EngineConnection;
  if (patched.has(prototype)) return;
  patched.add(prototype);
  const flush = prototype.flush;
  prototype.flush = function (this: EngineConnection) {
    if (collecting === undefined) return flush.call(this);
    if (collecting.at(-1) !== this) collecting.push(this);
  };
}
