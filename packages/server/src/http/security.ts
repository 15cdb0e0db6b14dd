/**
 * HTTP edge security: helmet's headers (with a CSP the client and /embed/demo.html run under)
 * and the CORS allowlist (CORS_ORIGINS): middleware of the /api router (preflights included),
 * and headers of the embed files as the file server sends them (http/routes.ts), so that the
 * decision holds for every spelling that reaches them.
 */
import type { Request, RequestHandler, Response } from "express";
import helmet from "helmet";

export type CorsOrigins = "*" | string[];

/** helmet with a CSP for the Svelte app: scripts from here, sockets to here, Svelte's inline styles. */
export function securityHeaders(): RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // 'self' covers same-origin WebSockets in current browsers; the explicit ws/wss origin of
        // the page's own host is for older ones (Safari before 15.4). No other host: a script that
        // slipped through could not send anything elsewhere.
        connectSrc: ["'self'", (req) => sameHostSockets(req.headers.host)],
        imgSrc: ["'self'", "data:"],
        frameAncestors: ["'self'"],
        // helmet's default would make browsers fetch every script and socket over https, which
        // breaks a node served over plain http on a LAN address (TLS belongs to the proxy).
        upgradeInsecureRequests: null,
      },
    },
  });
  return headers;
}

/** `ws://host wss://host` for a well-formed Host header; nothing otherwise (a forged one cannot widen the policy). */
export function sameHostSockets(host: string | undefined): string {
  if (host === undefined || !/^[\w.-]+(:\d{1,5})?$|^\[[\d:a-f.]+\](:\d{1,5})?$/i.test(host)) return "";
  return `ws://${host} wss://${host}`;
}

const PREFLIGHT_MAX_AGE_SECONDS = 600;
const ALLOWED_HEADERS = "Content-Type, Authorization, X-Room-Key, Last-Event-ID";

/**
 * True when a request from `origin` may be served cross-origin (no Origin header: not a browser's cross-origin call).
 */
export function originAllowed(origins: CorsOrigins, origin: string | undefined): boolean {
  return origin === undefined || origins === "*" || origins.includes(origin);
}

/** CORS headers for allowed origins only (a disallowed one gets none: the browser blocks it). */
export function allowOrigin(origins: CorsOrigins, req: Request, res: Response): void {
  const origin = req.get("origin");
  if (origins === "*") return void res.setHeader("Access-Control-Allow-Origin", "*");
  res.vary("Origin");
  if (origin !== undefined && origins.includes(origin)) res.setHeader("Access-Control-Allow-Origin", origin);
}

/**
 * The embed files' headers: <streaming-chat> is loaded as a module script by pages on any
 * allowed origin (a CORS request), so it gets the allowlist's answer and a cross-origin CORP.
 */
export function embedHeaders(origins: CorsOrigins, req: Request, res: Response): void {
  allowOrigin(origins, req, res);
  res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
}

/** Middleware of the /api router: CORS headers on every answer, preflights answered here. */
export function corsAllowlist(origins: CorsOrigins): RequestHandler {
  return (req, res, next) => {
    allowOrigin(origins, req, res);
    if (req.method !== "OPTIONS") return next();
    if (res.getHeader("Access-Control-Allow-Origin") !== undefined) {
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
      res.setHeader("Access-Control-Max-Age", String(PREFLIGHT_MAX_AGE_SECONDS));
    }
    res.status(204).end();
  };
}
