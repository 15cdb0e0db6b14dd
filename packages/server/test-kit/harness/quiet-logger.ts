import type { Logger } from "../../src/core/ports.ts";

/** A Logger that says nothing (tests assert on events, not on logs). */
export const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quietLogger,
};
