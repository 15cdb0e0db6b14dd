import type { Redis } from "ioredis";

export interface ScriptDefinition {
  numberOfKeys: number;
  lua: string;
}

/**
 * Defines Lua scripts as commands on an ioredis client (EVALSHA, loaded on first use), once per
 * client: several stores may share one connection.
 */
export function defineScripts<T extends Redis>(redis: Redis, scripts: Record<string, ScriptDefinition>): T {
  for (const [name, definition] of Object.entries(scripts)) {
    if (typeof (redis as unknown as Record<string, unknown>)[name] !== "function")
      redis.defineCommand(name, definition);
  }
  return redis as T;
}
