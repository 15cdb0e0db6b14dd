import { existsSync } from "node:fs";
import path from "node:path";
import express, { type Express, type RequestHandler, type Response, type Router } from "express";
import type { Logger } from "../core/ports.ts";
import { errorHandler, notFound } from "./error-answer.ts";
import { corsAllowlist, embedHeaders, securityHeaders, type CorsOrigins } from "./security.ts";
import { strictRouter } from "./strict-router.ts";

export interface HttpDeps {
  clientDir: string;
  /** What /readyz reports: a name per dependency and whether it is usable. */
  readiness: () => Promise<Record<string, boolean>>;
  /** Extra fields for /healthz. */
  status: () => Record<string, unknown>;
  /** `GET /api/rooms/:id/events`: the room as Server-Sent Events (http/room-events.ts). */
  roomEvents?: RequestHandler;
  /** The rooms API (http/rooms-api.ts), routes relative to /api: create, describe, transcript. */
  roomsApi?: Router;
  /** `GET /api/models` (http/models-api.ts): the models the LLM server offers, for the model picker. */
  modelsApi?: Router;
  /** `GET /metrics` (observability/metrics-route.ts). */
  metrics?: RequestHandler;
  /** The general request budget of everything under /api (http/request-limits.ts); none: unlimited. */
  requestLimits?: RequestHandler;
  /** Origins allowed cross-origin on /api/* and /embed/* (CORS_ORIGINS); default any. */
  corsOrigins?: CorsOrigins;
  /** Where failed requests are logged (their clients get a short JSON answer). */
  logger: Logger;
}

/** Health endpoints and the built Svelte client (with `/r/<room>` served by its index.html). */
export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  // Routes match only as spelled (`/API/rooms`, `/api/rooms/` are no route): nothing can reach a
  // route around the /api router's CORS and limits by writing its path differently.
  app.set("case sensitive routing", true);
  app.set("strict routing", true);
  app.use(securityHeaders());
  app.get("/healthz", (_req, res) => {
    res.json({ ok: true, ...deps.status() });
  });
  app.get("/readyz", async (_req, res) => {
    const checks = await deps.readiness();
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? 200 : 503).json({ ok, checks });
  });
  if (deps.metrics) app.get("/metrics", deps.metrics);
  app.use("/api", apiRouter(deps));
  mountClient(app, deps.clientDir, deps.corsOrigins ?? "*", deps.logger);
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}

/** Everything under /api: CORS and the request budget first, then the routes. */
function apiRouter(deps: HttpDeps): Router {
  const api = strictRouter();
  api.use(corsAllowlist(deps.corsOrigins ?? "*"));
  if (deps.requestLimits) api.use(deps.requestLimits);
  if (deps.roomEvents) api.get("/rooms/:id/events", deps.roomEvents);
  if (deps.roomsApi) api.use(deps.roomsApi);
  if (deps.modelsApi) api.use(deps.modelsApi);
  return api;
}

/**
 * A room's page, and a join code's (`/j/<code>`: the client looks it up); with a trailing slash
 * too (routing is strict), as the client reads either.
 */
const ROOM_PAGES = ["/r/:room", "/r/:room/", "/j/:code", "/j/:code/"];

function mountClient(app: Express, clientDir: string, corsOrigins: CorsOrigins, logger: Logger): void {
  const index = path.join(clientDir, "index.html");
  if (!existsSync(index)) {
    // Where it was looked for is for the operator (the log), not for visitors.
    logger.warn({ index }, "the web client is not built: pages answer 503");
    app.get(["/", ...ROOM_PAGES], (_req, res) => {
      res
        .status(503)
        .type("text/plain")
        .send('The web client is not built. Run "pnpm build", or "pnpm start" which builds it.');
    });
    return;
  }
  const embedDir = path.resolve(clientDir, "embed") + path.sep;
  // The file server decodes and normalises paths (`//embed/x`, `/%65mbed/x` serve /embed/x):
  // the embed headers go by the file it serves, not by how the request spelled it.
  const setHeaders = (res: Response, filePath: string) => {
    if (filePath.startsWith(embedDir)) embedHeaders(corsOrigins, res.req, res);
    staticHeaders(res, filePath);
  };
  app.use(express.static(clientDir, { index: "index.html", maxAge: "1h", setHeaders }));
  app.get(ROOM_PAGES, (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  });
}

function staticHeaders(res: Response, filePath: string): void {
  if (filePath.endsWith(".html")) res.setHeader("Cache-Control", "no-cache");
}
