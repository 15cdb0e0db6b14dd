/**
 * The limit settings a running node was actually given (from /proc/<pid>/environ, Linux), so a
 * run that means to measure the defaults can show that nothing turned a limit off on the way
 * (test helpers and bench helpers both have their own "limits off" sets).
 */
import { readFileSync } from "node:fs";

/** Names of settings that bound what a client may do (README "Configuration"), present and future. */
const LIMIT_NAME = /^(RATE_|MAX_|ROOMS_PER_|ADHOC_|ANSWERS_PER_|JOIN_HISTORY_|LLM_MAX_|ABANDONED_|QUOTA_|SLOW_VIEWER_)/;

/** "NAME=value" for each limit setting in `pid`'s environment; undefined when it cannot be read. */
export function limitSettingsOf(pid: number): string[] | undefined {
  try {
    const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
    return entries.filter((entry) => LIMIT_NAME.test(entry.slice(0, entry.indexOf("=")))).sort();
  } catch {
    // Not Linux, or the process is gone: nothing to show.
    return undefined;
  }
}
