/** Short-lived notices (failed requests, "link copied"), shared through context. */
import { getContext, setContext } from "svelte";
import type { ErrorPayload } from "@tokencast/protocol";
import { describeError } from "./format.ts";

export type ToastKind = "error" | "info";

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
  /** An error's code: kept on the element for programs and tests, never shown (members read `text`). */
  code?: string;
}

const TOAST_CONTEXT = Symbol("tokencast.toasts");
export const TOAST_MS = { info: 3_000, error: 7_000 } as const;

export class Toasts {
  items = $state.raw<Toast[]>([]);
  private nextId = 1;

  info(text: string): void {
    this.push({ kind: "info", text });
  }

  error(error: ErrorPayload | string): void {
    if (typeof error === "string") this.push({ kind: "error", text: error });
    else this.push({ kind: "error", text: describeError(error), code: error.code });
  }

  /** Drops every notice (on leaving a page: its notices are about it, not the next one). */
  clear(): void {
    this.items = [];
  }

  dismiss(id: number): void {
    this.items = this.items.filter((toast) => toast.id !== id);
  }

  private push(toast: Omit<Toast, "id">): void {
    const id = this.nextId++;
    this.items = [...this.items.slice(-4), { ...toast, id }];
    setTimeout(() => this.dismiss(id), TOAST_MS[toast.kind]);
  }
}

export function setToastContext(toasts: Toasts): Toasts {
  return setContext(TOAST_CONTEXT, toasts);
}

export function getToastContext(): Toasts {
  const toasts = getContext<Toasts | undefined>(TOAST_CONTEXT);
  if (!toasts) throw new Error("getToastContext() called outside the app (no setToastContext above it)");
  return toasts;
}
