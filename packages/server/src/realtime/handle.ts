import type { z } from "zod";
import type { Ack } from "@tokencast/protocol";
import { AppError, toErrorPayload } from "../core/errors.ts";
import type { Logger } from "../core/ports.ts";

type Handler<P, R, C> = (payload: P, context: C) => Promise<R>;

/** One client event, bound once per server: `context` says which connection sent it. */
export type EventHandler<C> = (context: C, args: unknown[], log: () => Logger) => void;

/**
 * Wraps an event handler for the network edge: validates the payload with zod, answers through
 * the ack exactly once with `{ ok: true, ...result }` or `{ ok: false, error }`, and never throws.
 * An event sent without an ack function is still processed (there is just nobody to answer).
 * `log` is only called when something must be logged, so a connection carries no logger of its own.
 */
export function handle<S extends z.ZodType, R extends object, C>(
  schema: S,
  handler: Handler<z.infer<S>, R, C>,
): EventHandler<C> {
  return (context, args, log) => {
    const ack = typeof args.at(-1) === "function" ? (args.at(-1) as (r: Ack<R>) => void) : undefined;
    const payload = ack && args.length === 1 ? undefined : args[0];
    void run(schema, (p) => handler(p, context), payload, log).then((response) => reply(ack, response, log));
  };
}

async function run<S extends z.ZodType, R extends object>(
  schema: S,
  handler: (payload: z.infer<S>) => Promise<R>,
  payload: unknown,
  log: () => Logger,
): Promise<Ack<R>> {
  try {
    return { ok: true, ...(await handler(validPayload(schema, payload))) };
  } catch (error) {
    const answer = toErrorPayload(error);
    if (answer.code === "internal_error") log().error({ err: error, ...roomOf(payload) }, "event handler failed");
    return { ok: false, error: answer };
  }
}

/** The payload as `schema` reads it; throws `invalid_payload` saying where it is wrong. */
export function validPayload<S extends z.ZodType>(schema: S, payload: unknown): z.infer<S> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new AppError("invalid_payload", invalidPayload(parsed.error));
  return parsed.data;
}

function reply<R>(ack: ((r: Ack<R>) => void) | undefined, response: Ack<R>, log: () => Logger): void {
  if (!ack) return;
  try {
    ack(response);
  } catch (error) {
    log().warn({ err: error }, "could not send an ack");
  }
}

/** The payload's room, for log lines, when it names one. */
function roomOf(payload: unknown): { roomId?: string } {
  const roomId = (payload as { roomId?: unknown } | undefined)?.roomId;
  return typeof roomId === "string" ? { roomId } : {};
}

function invalidPayload(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return `Invalid payload. ${where}${issue?.message ?? "unexpected shape"}`;
}
