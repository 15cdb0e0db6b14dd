import { pino } from "pino";
import type { Logger } from "./core/ports.ts";

export function createLogger(level: string): Logger & pino.Logger {
  return pino({ level, base: { service: "tokencast", pid: process.pid } });
}
