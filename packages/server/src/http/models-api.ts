/**
 * `GET /api/models` (mounted under /api): the models a room may use, for the model picker of the
 * create and settings forms. Open to anyone, like creating a room: it names models only, never
 * the LLM server's address or key, and the list is cached (core/model-list.ts).
 */
import type { Router } from "express";
import type { ModelList } from "../core/model-list.ts";
import { strictRouter } from "./strict-router.ts";

export function modelsApi(models: ModelList): Router {
  const router = strictRouter();
  router.get("/models", async (_req, res) => {
    const result = await models.current();
    res.setHeader("Cache-Control", "no-cache");
    res.json({ ok: true, ...result });
  });
  return router;
}
