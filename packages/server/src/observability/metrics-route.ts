import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import type { Registry } from "prom-client";

/**
 * `GET /metrics` in Prometheus text format. With a token, only requests bearing it
 * (`Authorization: Bearer <token>`) are answered; others get 401 `unauthorized`.
 */
export function metricsHandler(registry: Registry, token: string | undefined): RequestHandler {
  return async (req, res) => {
    if (token !== undefined && !bears(req.headers.authorization, token)) {
      res
        .status(401)
        .setHeader("WWW-Authenticate", "Bearer")
        .json({
          ok: false,
          error: { code: "forbidden", message: "A metrics token is required (Authorization: Bearer <METRICS_TOKEN>)." },
        });
      return;
    }
    res.setHeader("Content-Type", registry.contentType);
    res.send(await registry.metrics());
  };
}

function bears(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? "")?.[1] ?? "";
  // Equal-length digests, so the comparison takes the same time whatever was sent.
  return timingSafeEqual(digest(given), digest(token));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
