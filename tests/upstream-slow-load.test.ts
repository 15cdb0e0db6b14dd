/**
 * A model that loads for longer than 5 minutes (LocalAI loads lazily and sends no headers until
 * the model is ready) must still answer: undici — behind Node's fetch as well as the `undici`
 * package — aborts a request after 300 s without headers (headersTimeout) or without body bytes
 * (bodyTimeout), while our Watchdog allows LLM_FIRST_TOKEN_TIMEOUT_MS (600 s by default).
 *
 * How this stays honest and fast: the waits are the real ones (400 s of silence against undici's
 * 300 s and a 600 s watchdog), played on a fake clock. undici's timers count ticks of a global
 * `setTimeout` (lib/util/timers.js), and so does the Watchdog, so faking `setTimeout` moves both
 * clocks together while the sockets stay real. The fake clock is installed before this file makes
 * any request: undici creates its tick timer on first use and then only refreshes it. The control
 * cases run the same script through undici's own default agent and fail with the header and the
 * body timeout — proof that the fake clock drives undici's caps; the production case (no
 * `dispatcher` option, i.e. createUpstreamAgent()) must survive both silences. Removing the
 * dispatcher from OpenAiSource makes that case fail exactly like the controls.
 */
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AppError } from "../packages/server/src/core/errors.ts";
import type { AnswerEvent } from "../packages/server/src/core/ports.ts";
import { OpenAiSource, type OpenAiSourceOptions } from "../packages/server/src/upstream/index.ts";
import { startFakeUpstream, type FakeUpstream, type Script } from "./helpers/fake-upstream.ts";
import { waitFor } from "./helpers/wait.ts";

/** undici's default headersTimeout and bodyTimeout. */
const UNDICI_DEFAULT_MS = 300_000;
/** Longer than undici's caps, shorter than the watchdog's. */
const SILENCE_MS = 400_000;
/** LLM_FIRST_TOKEN_TIMEOUT_MS's default; the idle timeout raised to match for a slow model. */
const WATCHDOG_MS = 600_000;

let fake: FakeUpstream;
beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"], shouldAdvanceTime: true });
  fake = await startFakeUpstream();
});
afterAll(async () => {
  await fake?.close();
  vi.useRealTimers();
});

const chunk = (content: string) =>
  `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;
const finish = `data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;

/** No headers until the model has loaded, then one token, a long silence, and the rest. */
function slowLoadScript(id: string): Script {
  return {
    headersDelayed: true,
    steps: [
      { gate: `${id}-loaded` },
      { write: chunk("Loaded, ") },
      { gate: `${id}-rest` },
      { write: chunk("finally.") },
      { write: finish },
    ],
  };
}

interface Outcome {
  events: AnswerEvent[];
  error?: AppError;
  settled: boolean;
}

function consume(source: OpenAiSource): Outcome {
  const outcome: Outcome = { events: [], settled: false };
  void (async () => {
    try {
      for await (const event of source.stream({
        turns: [{ role: "user", content: "hi" }],
        signal: new AbortController().signal,
      }))
        outcome.events.push(event);
    } catch (error) {
      outcome.error = error as AppError;
    }
    outcome.settled = true;
  })();
  return outcome;
}

/** undici's code is kept for the log in the error's causes (members read a plain message). */
function causeText(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    parts.push(current.message, String((current as { code?: unknown }).code ?? ""));
  }
  return parts.join(" ");
}

const textOf = (outcome: Outcome) => outcome.events.flatMap((e) => (e.type === "text" ? [e.text] : [])).join("");

/** Plays the script: 400 s before the headers, the first token, 400 s of silence, the rest. */
async function playSlowLoad(id: string, options: Partial<OpenAiSourceOptions> = {}): Promise<Outcome> {
  const index = fake.requests.length;
  fake.enqueue(slowLoadScript(id));
  const outcome = consume(
    new OpenAiSource({
      baseUrl: fake.url,
      model: "m",
      api: "chat",
      firstTokenTimeoutMs: WATCHDOG_MS,
      idleTimeoutMs: WATCHDOG_MS,
      ...options,
    }),
  );
  await fake.waitForRequests(index + 1);
  await vi.advanceTimersByTimeAsync(SILENCE_MS);
  fake.release(`${id}-loaded`);
  await waitFor(() => outcome.settled || textOf(outcome), { what: "the first token or the end" });
  await vi.advanceTimersByTimeAsync(SILENCE_MS);
  fake.release(`${id}-rest`);
  await waitFor(() => outcome.settled, { what: "the answer to end" });
  return outcome;
}

describe("a model that loads for longer than undici's 300 s", () => {
  it("control: undici's default agent gives up on the headers after 300 s", async () => {
    const outcome = await playSlowLoad("default-agent", { dispatcher: new Agent() });
    expect(UNDICI_DEFAULT_MS).toBeLessThan(SILENCE_MS);
    expect(outcome.error?.code).toBe("upstream_unreachable");
    expect(causeText(outcome.error)).toContain("UND_ERR_HEADERS_TIMEOUT");
    expect(textOf(outcome)).toBe("");
  });

  it("control: undici's default body timeout cuts a 400 s silence after the first token", async () => {
    const outcome = await playSlowLoad("default-body", { dispatcher: new Agent({ headersTimeout: 0 }) });
    expect(outcome.error?.code).toBe("upstream_stream_error");
    expect(causeText(outcome.error)).toContain("UND_ERR_BODY_TIMEOUT");
    expect(textOf(outcome)).toBe("Loaded, ");
  });

  it("the production agent waits for the headers and through the silence: the whole answer arrives", async () => {
    const outcome = await playSlowLoad("production");
    expect(outcome.error).toBeUndefined();
    expect(textOf(outcome)).toBe("Loaded, finally.");
  });

  it("our watchdog still governs: no first token within LLM_FIRST_TOKEN_TIMEOUT_MS → upstream_timeout", async () => {
    const outcome = await playSlowLoad("watchdog", { firstTokenTimeoutMs: SILENCE_MS - 1000 });
    expect(outcome.error?.code).toBe("upstream_timeout");
    expect(textOf(outcome)).toBe("");
  });
});
