/**
 * Bytes of an SSE response body → parsed JSON chunks. eventsource-parser handles fields, CRLF,
 * comments and events split across reads; TextDecoder (stream mode) handles UTF-8 characters
 * split across reads. Ends at `[DONE]`; an event over `maxEventBytes` is refused with
 * `upstream_too_large` as soon as that many bytes arrived without completing it (a 50 MB line
 * is never buffered whole: memory stays at about `maxEventBytes`).
 */
import { createParser, type EventSourceMessage, type ParseError } from "eventsource-parser";
import { AppError } from "../core/errors.ts";

export interface SseReadOptions {
  maxEventBytes: number;
  /** Called for every read, comments (keep-alives) included: the stream is alive. */
  onActivity?: () => void;
}

export type SseItem = { type: "data"; json: unknown } | { type: "done" };
/** Errors are queued in order, so events before a bad one still reach the caller. */
type Queued = SseItem | { type: "error"; error: AppError };

/** Yields chunks in order; returns after `[DONE]` or at EOF (the caller decides if EOF was early). */
export async function* readSse(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  options: SseReadOptions,
): AsyncGenerator<SseItem> {
  const body = "getReader" in source ? chunksOf(source) : source;
  const decoder = new TextDecoder("utf-8");
  const queue: Queued[] = [];
  let pendingBytes = 0;
  const parser = createParser({
    onEvent: (event: EventSourceMessage) => queue.push(toItem(event.data)),
    onComment: () => {
      pendingBytes = 0;
      options.onActivity?.();
    },
    onError: (error: ParseError) => {
      const refused = refuseGarbage(error);
      if (refused) queue.push({ type: "error", error: refused });
    },
  });
  for await (const bytes of body) {
    options.onActivity?.();
    pendingBytes = guardSize(pendingBytes, bytes, options.maxEventBytes);
    parser.feed(decoder.decode(bytes, { stream: true }));
    if (queue.length > 0) pendingBytes = 0;
    while (queue.length > 0) {
      const item = queue.shift()!;
      if (item.type === "error") throw item.error;
      yield item;
      if (item.type === "done") return;
    }
  }
  parser.feed(decoder.decode());
  parser.feed("\n\n"); // flush a last event that lacked its blank line
  for (const item of queue) {
    if (item.type === "error") throw item.error;
    yield item;
    if (item.type === "done") return;
  }
}

/** Bytes received since the last complete event; an endless line trips this. */
function guardSize(pending: number, bytes: Uint8Array, max: number): number {
  const total = pending + bytes.byteLength;
  if (total > max) {
    throw new AppError(
      "upstream_too_large",
      `The LLM server sent an event larger than ${Math.round(max / 1024)} KiB; the stream was cut off.`,
    );
  }
  return total;
}

/**
 * SSE says unknown fields are ignored, and a server may add its own (`foo: bar`); but a line
 * whose "field name" is not even a word is not SSE at all (binary, HTML, random bytes).
 */
const PLAUSIBLE_FIELD = /^[\w-]{1,64}$/;

function refuseGarbage(error: ParseError): AppError | undefined {
  if (error.type !== "unknown-field" || PLAUSIBLE_FIELD.test(error.field ?? "")) return undefined;
  // What it sent goes to the log only: it may be a page naming the server's insides.
  const cause = new Error(`not an event stream: ${JSON.stringify((error.line ?? "").slice(0, 200))}`);
  return new AppError("upstream_bad_response", "The LLM server sent something that is not an event stream.", { cause });
}

function toItem(data: string): Queued {
  if (data.trim() === "[DONE]") return { type: "done" };
  try {
    return { type: "data", json: JSON.parse(data) };
  } catch {
    // Not thrown here: this runs inside the parser, and earlier events of this read come first.
    const cause = new Error(`malformed JSON: ${data.slice(0, 200)}`);
    const error = new AppError("upstream_bad_response", "The LLM server sent malformed JSON.", { cause });
    return { type: "error", error };
  }
}

/** Reads a web stream chunk by chunk; cancels it when the consumer stops early. */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
