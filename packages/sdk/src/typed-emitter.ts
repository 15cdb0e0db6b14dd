/** A small typed event emitter: `on` returns the unsubscribe function; no Node built-ins. */
import { callSafely } from "./listener.ts";

type Listener<T> = (value: T) => void;

export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    const set = this.listeners.get(name) ?? new Set();
    this.listeners.set(name, set);
    set.add(listener);
    return () => void set.delete(listener);
  }

  emit<K extends keyof Events>(name: K, value: Events[K]): void {
    const set = this.listeners.get(name) as Set<Listener<Events[K]>> | undefined;
    // A copy: a listener may unsubscribe (itself or another) while the event is delivered.
    for (const listener of [...(set ?? [])]) callSafely(listener, value);
  }
}
