/** History-API routing: the current route as state, `navigate` to change it. No dependency needed. */
import { getContext, setContext } from "svelte";
import { parseRoute } from "./routes.ts";
import type { Route } from "./routes.ts";

const ROUTER_CONTEXT = Symbol("tokencast.router");

export class Router {
  route = $state<Route>(parseRoute(location.pathname));

  constructor() {
    window.addEventListener("popstate", () => {
      this.route = parseRoute(location.pathname);
    });
  }

  navigate(path: string): void {
    if (path !== location.pathname) history.pushState(null, "", path);
    this.route = parseRoute(path);
  }
}

export function setRouterContext(router: Router): Router {
  return setContext(ROUTER_CONTEXT, router);
}

export function getRouterContext(): Router {
  const router = getContext<Router | undefined>(ROUTER_CONTEXT);
  if (!router) throw new Error("getRouterContext() called outside the app");
  return router;
}
