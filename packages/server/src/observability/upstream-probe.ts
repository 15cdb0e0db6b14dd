import type { Logger } from "../core/ports.ts";

export interface UpstreamProbeOptions {
  /** The LLM server's base URL; `/v1/models` is asked (any HTTP answer counts as reachable). */
  baseUrl: string;
  everyMs: number;
  timeoutMs: number;
  logger: Logger;
}

export interface UpstreamProbe {
  /** The last probe's verdict (false until the first one answers). Never waits. */
  reachable(): boolean;
  start(): void;
  stop(): void;
}

/**
 * Checks in the background whether the LLM server answers HTTP, so that /readyz reports it from
 * a cache and a slow upstream never makes /readyz slow.
 */
export function createUpstreamProbe(options: UpstreamProbeOptions): UpstreamProbe {
  let reachable = false;
  let timer: NodeJS.Timeout | undefined;
  const url = modelsUrl(options.baseUrl);
  const probe = async () => {
    const now = await answers(url, options.timeoutMs);
    if (now !== reachable)
      options.logger.info(
        { upstream: url.origin, reachable: now },
        now ? "LLM server is reachable" : "LLM server is unreachable",
      );
    reachable = now;
  };
  return {
    reachable: () => reachable,
    start: () => {
      if (timer) return;
      void probe();
      timer = setInterval(() => void probe(), options.everyMs);
      timer.unref();
    },
    stop: () => {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/** `<base>/v1/models`, whether or not the base URL already ends in /v1 (as the LLM client accepts). */
export function modelsUrl(baseUrl: string): URL {
  const trimmed = baseUrl.replace(/\/+$/, "");
  return new URL(`${/\/v1$/.test(trimmed) ? trimmed : `${trimmed}/v1`}/models`);
}

/** True when the server sends any HTTP response within `timeoutMs`. */
async function answers(url: URL, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return true;
  } catch {
    // Connection refused, reset or timed out: that is the "unreachable" verdict, not a fault.
    return false;
  }
}
