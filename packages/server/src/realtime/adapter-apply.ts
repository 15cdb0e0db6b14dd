/**
 * The one seam every Socket.IO adapter built on the in-memory one shares (socket.io-adapter 2.x):
 * every broadcast it delivers on this node (emitted here, or received from another node through
 * the Redis adapter), and every fetch or disconnect of a room's sockets, ends in its `apply(opts,
 * callback)`, which calls `callback` for each local socket in `opts.rooms` and not in `opts.except`.
 * `apply` is private in the typings; direct-members.test.ts holds both adapters to it.
 */
import type { Namespace } from "socket.io";

export type Adapter = Namespace["adapter"];

/** The filters of `apply` (socket.io-adapter's BroadcastOptions). */
export interface ApplyOptions {
  rooms: Set<string>;
  except?: Set<string>;
}

/** What `apply` passes each socket it covers (typed by the caller: a socket, or a direct member). */
export type ApplyCallback<S> = (socket: S) => void;

type Apply<S> = (opts: ApplyOptions, callback: ApplyCallback<S>) => void;

/** Replaces the adapter instance's `apply` with `extended`, which is given the original as `next`. */
export function extendApply<S>(
  adapter: Adapter,
  extended: (opts: ApplyOptions, callback: ApplyCallback<S>, next: Apply<S>) => void,
): void {
  const applying = adapter as unknown as { apply: Apply<S> };
  const next = applying.apply.bind(adapter);
  applying.apply = (opts, callback) => extended(opts, callback, next);
}
