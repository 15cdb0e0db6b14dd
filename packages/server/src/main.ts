/**
 * Composition root: reads the config, builds the store and the answer source, starts the server,
 * and drains on SIGTERM / SIGINT. Nothing else in the server reads the environment or exits.
 */
import { createApp } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import type { Logger } from "./core/ports.ts";
import { createLogger } from "./logger.ts";
import { createMetrics } from "./observability/metrics.ts";
import { createBackend } from "./store/backend.ts";
import { createAnswerSource } from "./upstream/index.ts";

async function main(): Promise<void> {
  const config = readConfigOrExit();
  const logger = createLogger(config.logLevel).child({ node: config.nodeId });
  guardProcess(logger);
  const metrics = createMetrics();
  const backend = createBackend(config, logger, (role) => metrics.redisError(role));
  const source = createAnswerSource(config.llm);
  const app = createApp({ config, logger, source, metrics, ...backend });
  const address = await app.listen();
  logStartup(logger, config, source.demo, address.port);
  onShutdownSignal(logger, config, async () => {
    await app.close();
    await backend.close();
  });
}

function readConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

function logStartup(logger: Logger, config: Config, demo: boolean, port: number): void {
  const upstream = demo
    ? "built-in DEMO model (set LLM_BASE_URL to use LocalAI or another OpenAI-compatible server)"
    : `${config.llm.baseUrl} (${config.llm.api} API, model ${config.llm.model ?? "default"})`;
  logger.info({}, `answers come from: ${upstream}`);
  const store = config.redis.url ? "redis" : "memory";
  if (config.redis.url)
    logger.info(
      { redis: redactUrl(config.redis.url) },
      "rooms are kept in Redis (history survives restarts; nodes share rooms)",
    );
  else logger.info({}, "rooms are kept in memory (single node; history is lost on restart)");
  // Last, so that whoever waits for this line has seen the others.
  logger.info({ port, upstream, store, demo, node: config.nodeId }, `listening on http://localhost:${port}`);
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

/** The server must never die of a stray rejection; log it loudly instead. */
function guardProcess(logger: Logger): void {
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));
}

function onShutdownSignal(logger: Logger, config: Config, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down");
    // Answers get the grace period, then a moment to record their ends; then we go regardless.
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs + 5000);
    force.unref();
    close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

await main();
