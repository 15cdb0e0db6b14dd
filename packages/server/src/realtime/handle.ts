import type { z } from "zod";
import type { Ack, ErrorPayload } from "@tokencast/protocol";
import { toErrorPayload } from "../core/errors.ts";
import type { Logger } from "../core/ports.ts";

type Handler<P, R> = (payload: P) => Promise<R>;

/**
 * Wraps an event handler for the network edge: validates the payload with zod, answers through
 * the ack exactly once with `{ ok: true, ...result }` or `{ ok: false, error }`, and never throws.
 * An event sent without an ack function is still processed (there is just nobody to answer).
 */
export function handle<S extends z.ZodType, R extends object>(
  schema: S,
  handler: Handler<z.infer<S>, R>,
  logger: Logger,
) {
  return (...args: unknown[]): void => {
    const ack = typeof args.at(-1) === "function" ? (args.at(-1) as (r: Ack<R>) => void) : undefined;
    const payload = ack && args.length === 1 ? undefined : args[0];
    void run(schema, handler, payload, logger).then((response) => reply(ack, response, logger));
  };
}

async function run<S extends z.ZodType, R extends object>(
  schema: S,
  handler: Handler<z.infer<S>, R>,
  payload: unknown,
  logger: Logger,
): Promise<Ack<R>> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) return { ok: false, error: invalidPayload(parsed.error) };
  try {
    return { ok: true, ...(await handler(parsed.data)) };
  } catch (error) {
    const payload = toErrorPayload(error);
    if (payload.code === "internal_error") logger.error({ err: error, ...roomOf(parsed.data) }, "event handler failed");
    return { ok: false, error: payload };
  }
}

function reply<R>(ack: ((r: Ack<R>) => void) | undefined, response: Ack<R>, logger: Logger): void {
  if (!ack) return;
  try {
    ack(response);
  } catch (error) {
    logger.warn({ err: error }, "could not send an ack");
  }
}

/** The payload's room, for log lines, when it names one. */
function roomOf(payload: unknown): { roomId?: string } {
  const roomId = (payload as { roomId?: unknown } | undefined)?.roomId;
  return typeof roomId === "string" ? { roomId } : {};
}

function invalidPayload(error: z.ZodError): ErrorPayload {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return { code: "invalid_payload", message: `Invalid payload. ${where}${issue?.message ?? "unexpected shape"}` };
}
