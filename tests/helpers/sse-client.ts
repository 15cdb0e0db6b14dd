/**
 * An SSE consumer for GET /api/rooms/:id/events: `fetch` plus eventsource-parser (as a real
 * client parses), recording every event, comment and retry, and `RoomText`, which builds the
 * messages' text the way docs/sse.md says (a `message` event sets it, a `delta` appends) and
 * records any duplicate or gap across any number of streams.
 */
import { createParser } from "eventsource-parser";
import { waitFor } from "./wait.ts";

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: unknown;
  /** Milliseconds since the stream was opened. */
  at: number;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** The JSON body of a refused request (status other than 200). */
  body: unknown;
  events: SseEvent[];
  comments: string[];
  retry: number | undefined;
  /** The id of the last event that had one (what an EventSource sends as Last-Event-ID). */
  lastEventId: string | undefined;
  /** The server ended the stream (or the connection failed). */
  ended: boolean;
  /** The stream ended by an error (connection reset, abort), not by the server finishing it. */
  failed: boolean;
  /** Aborts the request, as a consumer that goes away. */
  close(): void;
  /** Waits until `check` holds for this stream. */
  until<T>(check: (stream: SseStream) => T, what: string, timeoutMs?: number): Promise<NonNullable<T>>;
}

const open = new Set<SseStream>();

export async function openSse(
  url: string,
  options: { lastEventId?: string; headers?: Record<string, string> } = {},
): Promise<SseStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = { Accept: "text/event-stream", ...options.headers };
  if (options.lastEventId !== undefined) headers["Last-Event-ID"] = options.lastEventId;
  const response = await fetch(url, { headers, signal: controller.signal });
  const stream: SseStream = {
    status: response.status,
    headers: response.headers,
    body: undefined,
    events: [],
    comments: [],
    retry: undefined,
    lastEventId: undefined,
    ended: false,
    failed: false,
    close: () => {
      controller.abort();
      open.delete(stream);
    },
    until: (check, what, timeoutMs = 15_000) => waitFor(() => check(stream), { timeoutMs, what }),
  };
  if (response.status !== 200) {
    stream.body = await response.json();
    stream.ended = true;
    return stream;
  }
  open.add(stream);
  void consume(response, stream);
  return stream;
}

async function consume(response: Response, stream: SseStream): Promise<void> {
  const started = performance.now();
  const parser = createParser({
    onEvent: (event) => {
      stream.events.push({
        event: event.event ?? "message",
        id: event.id,
        data: JSON.parse(event.data),
        at: performance.now() - started,
      });
      if (event.id !== undefined) stream.lastEventId = event.id;
    },
    onComment: (comment) => stream.comments.push(comment.trim()),
    onRetry: (ms) => (stream.retry = ms),
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
      parser.feed(decoder.decode(chunk, { stream: true }));
  } catch {
    // Aborted by close(), or the connection dropped: either way the stream is over.
    stream.failed = true;
  }
  stream.ended = true;
}

export function closeAllSse(): void {
  for (const stream of open) stream.close();
}

interface MessageData {
  id: string;
  seq: number;
  text: string;
  status: string;
}

/** Messages' text as a consumer builds it from one or more streams, with what went wrong. */
export class RoomText {
  readonly texts = new Map<string, string>();
  readonly seqs = new Map<string, number>();
  readonly ended = new Set<string>();
  readonly problems: string[] = [];
  /** Events applied per stream, so that a stream read twice is not applied twice. */
  private readonly applied = new Map<SseStream, number>();

  /** Applies the events of `stream` not applied yet. */
  apply(stream: SseStream): this {
    const from = this.applied.get(stream) ?? 0;
    for (const event of stream.events.slice(from)) this.applyEvent(event);
    this.applied.set(stream, stream.events.length);
    return this;
  }

  text(messageId: string): string | undefined {
    return this.texts.get(messageId);
  }

  /** Applies one event (e.g. parsed from a raw response). */
  applyEvent(event: SseEvent): void {
    if (event.event === "message") {
      const message = event.data as MessageData;
      if (this.texts.has(message.id)) this.problems.push(`message ${message.id} sent twice`);
      this.texts.set(message.id, message.text);
      this.seqs.set(message.id, message.seq);
    } else if (event.event === "delta") {
      const { messageId, seq, text } = event.data as { messageId: string; seq: number; text: string };
      const have = this.seqs.get(messageId);
      if (have === undefined) this.problems.push(`delta ${messageId}:${seq} for an unknown message`);
      else if (seq !== have + 1) this.problems.push(`delta ${messageId}:${seq} after ${have}`);
      this.texts.set(messageId, (this.texts.get(messageId) ?? "") + text);
      this.seqs.set(messageId, seq);
    } else if (event.event === "end") {
      const { messageId } = event.data as { messageId: string };
      if (this.ended.has(messageId)) this.problems.push(`end of ${messageId} sent twice`);
      this.ended.add(messageId);
    }
  }
}
