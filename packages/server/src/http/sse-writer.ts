/**
 * Server-Sent Events framing (the WHATWG `text/event-stream` format), free of HTTP: each
 * function returns the exact text of one frame.
 */

/** Response headers of an event stream, including those that stop proxies from buffering it. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
  Connection: "keep-alive",
};

export interface SseEvent {
  event: string;
  /** Absent: the event leaves the stream's last event id unchanged. */
  id?: string;
  /** Serialized as JSON. */
  data: unknown;
}

/** One event: `event:`, optional `id:`, and one `data:` line per line of the JSON. */
export function formatEvent({ event, id, data }: SseEvent): string {
  const lines = [`event: ${singleLine(event)}`];
  if (id !== undefined) lines.push(`id: ${singleLine(id)}`);
  for (const line of JSON.stringify(data).split(/\r\n|\r|\n/)) lines.push(`data: ${line}`);
  return `${lines.join("\n")}\n\n`;
}

/** A comment (ignored by parsers): heartbeats and notes for humans reading with curl. */
export function formatComment(text: string): string {
  return `${text
    .split(/\r\n|\r|\n/)
    .map((line) => `: ${line}`)
    .join("\n")}\n\n`;
}

/** How long an EventSource waits before reconnecting. */
export function formatRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}

/** Field values cannot hold line breaks (they would start a new field); ids cannot hold NUL. */
function singleLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\r\n\u0000]/g, "");
}
