import { Router } from "express";

/**
 * A router whose routes match only as written: no other case, no trailing slash. Every router
 * under the app is one, so that a path spelled differently reaches no route at all rather than a
 * route without the middleware its canonical spelling passes (http/routes.ts).
 */
export function strictRouter(): Router {
  return Router({ caseSensitive: true, strict: true });
}
