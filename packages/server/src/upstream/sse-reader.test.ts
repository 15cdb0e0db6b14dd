import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AppError } from "../core/errors.ts";
import { newNormaliseState, normaliseChunk } from "./sse-normalise.ts";
import { readSse } from "./sse-reader.ts";

/** Raw streams recorded from a real llama.cpp server (byte-for-byte). */
const FIXTURES = new URL("../../../../tests/fixtures/llama.cpp/", import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

async function* chunks(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

/** Text and whether [DONE] was seen, reading `parts` as one stream. */
async function textOf(parts: Uint8Array[]): Promise<{ text: string; done: boolean; finish?: string }> {
  const state = newNormaliseState();
  let text = "";
  let done = false;
  let finish: string | undefined;
  for await (const item of readSse(chunks(parts), { maxEventBytes: 1024 * 1024 })) {
    if (item.type === "done") {
      done = true;
      continue;
    }
    for (const event of normaliseChunk(item.json, state)) {
      if (event.type === "text") text += event.text;
      if (event.type === "finish") finish = event.reason;
    }
  }
  return { text, done, ...(finish ? { finish } : {}) };
}

/** What the stream says, read the plain way: every `data:` JSON line's content. */
function expectedFrom(bytes: Uint8Array): string {
  const lines = new TextDecoder()
    .decode(bytes)
    .split(/\r?\n/)
    .filter((l) => l.startsWith("data: {"));
  return lines
    .map((l) => JSON.parse(l.slice(6)) as { choices: Array<{ delta?: { content?: string | null }; text?: string }> })
    .map((j) => j.choices[0]?.delta?.content ?? j.choices[0]?.text ?? "")
    .join("");
}

function everySplit(bytes: Uint8Array): Uint8Array[][] {
  return Array.from({ length: bytes.length + 1 }, (_, i) => [bytes.slice(0, i), bytes.slice(i)]);
}

function randomChunks(bytes: Uint8Array, seed: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let x = seed;
  for (let offset = 0; offset < bytes.length;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (x % 17);
    parts.push(bytes.slice(offset, offset + size));
    offset += size;
  }
  return parts;
}

describe("readSse on recorded llama.cpp streams", () => {
  for (const name of ["chat.sse", "completions.sse"]) {
    it(`${name}: the same text whatever byte the stream is cut at, and in random small reads`, async () => {
      const bytes = fixture(name);
      const expected = expectedFrom(bytes);
      expect(expected.length).toBeGreaterThan(20);
      const whole = await textOf([bytes]);
      expect(whole).toMatchObject({ text: expected, done: true });
      for (const parts of everySplit(bytes)) expect((await textOf(parts)).text).toBe(expected);
      for (let seed = 1; seed <= 20; seed++) expect((await textOf(randomChunks(bytes, seed))).text).toBe(expected);
    });
  }

  it("chat.sse reports the finish reason the server sent", async () => {
    expect((await textOf([fixture("chat.sse")])).finish).toBe("length");
  });
});

describe("readSse on hard bytes", () => {
  const tokens = ["Grüße ", "🙂🚀 ", "漢字かな ", "naïve café ", "𝔘𝔫𝔦", "\n- done"];
  const body =
    ": keepalive\r\n\r\n" +
    tokens
      .map((t, i) => {
        const ping = i === 2 ? ": ping\r\n\r\n" : "";
        return `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: t } }] })}\r\n\r\n${ping}`;
      })
      .join("") +
    "data: [DONE]\r\n\r\n";
  const bytes = new TextEncoder().encode(body);

  it("multi-byte UTF-8, CRLF and comments: identical text cut at every byte (inside characters, between \\r and \\n)", async () => {
    const expected = tokens.join("");
    for (const parts of everySplit(bytes)) expect((await textOf(parts)).text).toBe(expected);
    const bytewise = Array.from(bytes, (b) => Uint8Array.of(b));
    expect((await textOf(bytewise)).text).toBe(expected);
  });

  it("several events in one read, and a last event without its blank line", async () => {
    const noTrailing = new TextEncoder().encode(
      'data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {"choices":[{"delta":{"content":"b"}}]}',
    );
    expect(await textOf([noTrailing])).toMatchObject({ text: "ab", done: false });
  });

  it("stops at [DONE] and ignores anything after it", async () => {
    const after = new TextEncoder().encode(
      'data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: [DONE]\n\n' +
        'data: {"choices":[{"delta":{"content":"late"}}]}\n\n',
    );
    expect(await textOf([after])).toMatchObject({ text: "a", done: true });
  });

  it("yields the events before a malformed one, then fails with upstream_bad_response", async () => {
    const bad = new TextEncoder().encode('data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: {"choices":[\n\n');
    const seen: unknown[] = [];
    const error = await (async () => {
      try {
        for await (const item of readSse(chunks([bad]), { maxEventBytes: 1024 })) seen.push(item);
      } catch (e) {
        return e;
      }
    })();
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("upstream_bad_response");
  });

  it("cuts off an event larger than maxEventBytes", async () => {
    const huge = new TextEncoder().encode(`data: {"choices":[{"delta":{"content":"${"x".repeat(5000)}"}}]}\n\n`);
    await expect(textOf([huge.slice(0, 3000), huge.slice(3000)]).then(() => "passed")).resolves.toBe("passed");
    const small = async () => {
      for await (const _ of readSse(chunks([huge.slice(0, 3000), huge.slice(3000)]), { maxEventBytes: 4096 })) void _;
    };
    await expect(small()).rejects.toMatchObject({ code: "upstream_too_large" });
  });
});
