import { existsSync } from "node:fs";
import path from "node:path";
import express, { type Express, type Request, type RequestHandler, type Response, type Router } from "express";
import { corsAllowlist, securityHeaders, type CorsOrigins } from "./security.ts";

export interface HttpDeps {
  clientDir: string;
  /** What /readyz reports: a name per dependency and whether it is usable. */
  readiness: () => Promise<Record<string, boolean>>;
  /** Extra fields for /healthz. */
  status: () => Record<string, unknown>;
  /** `GET /api/rooms/:id/events`: the room as Server-Sent Events (http/room-events.ts). */
  roomEvents?: RequestHandler;
  /** The rooms API (http/rooms-api.ts): create, describe, transcript. */
  roomsApi?: Router;
  /** `GET /metrics` (observability/metrics-route.ts). */
  metrics?: RequestHandler;
  /** Request limits on /api/* (http/request-limits.ts); none: unlimited. */
  requestLimits?: RequestHandler;
  /** Origins allowed cross-origin on /api/* and /embed/* (CORS_ORIGINS); default any. */
  corsOrigins?: CorsOrigins;
}

/** Health endpoints and the built Svelte client (with `/r/<room>` served by its index.html). */
export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(securityHeaders());
  app.use(corsAllowlist(deps.corsOrigins ?? "*"));
  if (deps.requestLimits) app.use(deps.requestLimits);
  app.get("/healthz", (_req, res) => {
    res.json({ ok: true, ...deps.status() });
  });
  app.get("/readyz", async (_req, res) => {
    const checks = await deps.readiness();
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? 200 : 503).json({ ok, checks });
  });
  if (deps.metrics) app.get("/metrics", deps.metrics);
  if (deps.roomEvents) app.get("/api/rooms/:id/events", deps.roomEvents);
  if (deps.roomsApi) app.use(deps.roomsApi);
  mountClient(app, deps.clientDir);
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ ok: false, error: { code: "not_found", message: "No such page." } });
  });
  return app;
}

function mountClient(app: Express, clientDir: string): void {
  const index = path.join(clientDir, "index.html");
  if (!existsSync(index)) {
    app.get(["/", "/r/:room"], (_req, res) => {
      res
        .status(503)
        .type("text/plain")
        .send(`The web client is not built (no ${index}). Run "pnpm build", or "pnpm start" which builds it.`);
    });
    return;
  }
  app.use(express.static(clientDir, { index: "index.html", maxAge: "1h", setHeaders: staticHeaders }));
  app.get("/r/:room", (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  });
}

/** CORS (for /embed/*, read by pages on other origins) comes from the allowlist (security.ts). */
function staticHeaders(res: Response, filePath: string): void {
  if (filePath.endsWith(".html")) res.setHeader("Cache-Control", "no-cache");
}
