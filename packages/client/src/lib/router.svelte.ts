/**
 * History-API routing: the current route as state, `navigate` to change it. A room address with
 * a `#key=` (or `#token=`) fragment hands the key (token) to RoomKeys and loses it from the fragment (replaceState),
 * so the secret stays out of the address bar, the history and anything copied from them. The rest of the
 * fragment (`#m=<messageId>`, a linked answer) stays.
 */
import { getContext, setContext } from "svelte";
import { hashWithoutCredentials } from "./message-links.ts";
import { keyFromHash, tokenFromHash } from "./room-keys.ts";
import type { RoomKeys } from "./room-keys.ts";
import { parseRoute, sameRoute } from "./routes.ts";
import type { Route } from "./routes.ts";

const ROUTER_CONTEXT = Symbol("tokencast.router");

export class Router {
  route = $state<Route>(parseRoute(location.pathname));

  constructor(private readonly keys: RoomKeys) {
    this.takeKey();
    window.addEventListener("popstate", () => this.follow());
  }

  /** Goes to `path` (which may carry `#key=`). */
  navigate(path: string): void {
    const target = new URL(path, location.href);
    const next = target.pathname + target.search + target.hash;
    if (next !== location.pathname + location.search + location.hash) history.pushState(null, "", next);
    this.follow();
  }

  /** Goes to `path` in place of the current address (a join code's page leaves no step in the history). */
  replace(path: string): void {
    history.replaceState(null, "", path);
    this.follow();
  }

  private follow(): void {
    this.takeKey();
    const next = parseRoute(location.pathname);
    // Fragment-only changes (#message-…) keep the route object, so nothing re-opens.
    if (!sameRoute(next, this.route)) this.route = next;
  }

  private takeKey(): void {
    const route = parseRoute(location.pathname);
    const key = keyFromHash(location.hash);
    const token = tokenFromHash(location.hash);
    if (route.name !== "room" || (key === undefined && token === undefined)) return;
    if (key !== undefined) this.keys.remember(route.roomId, key);
    if (token !== undefined) this.keys.rememberToken(route.roomId, token);
    history.replaceState(
      history.state,
      "",
      location.pathname + location.search + hashWithoutCredentials(location.hash),
    );
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
