import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { OpenAiSource } from "./openai-source.ts";

let server: Server | undefined;

/** A one-route LLM server answering `GET /v1/models` with `status` and `body`; records the requests. */
async function modelsServer(status: number, body: string, seen: IncomingMessage[] = []): Promise<string> {
  server = createServer((req, res) => {
    seen.push(req);
    res.writeHead(status, { "Content-Type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function source(baseUrl: string): OpenAiSource {
  return new OpenAiSource({
    baseUrl,
    apiKey: "sk-secret",
    model: "m",
    api: "chat",
    firstTokenTimeoutMs: 1000,
    idleTimeoutMs: 1000,
  });
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe("OpenAiSource.listModels", () => {
  it("asks /v1/models with the API key and returns the ids", async () => {
    const seen: IncomingMessage[] = [];
    const url = await modelsServer(200, JSON.stringify({ data: [{ id: "a" }, { id: "b:7b" }] }), seen);
    expect(await source(`${url}/v1`).listModels(AbortSignal.timeout(2000))).toEqual(["a", "b:7b"]);
    expect(seen[0]?.url).toBe("/v1/models");
    expect(seen[0]?.headers.authorization).toBe("Bearer sk-secret");
  });

  it("throws on an HTTP error, a body that is not a list, and a timeout", async () => {
    await expect(
      source(await modelsServer(500, '{"error":"boom"}')).listModels(AbortSignal.timeout(2000)),
    ).rejects.toThrow();
    await new Promise((resolve) => server?.close(resolve));
    await expect(source(await modelsServer(200, "<html>")).listModels(AbortSignal.timeout(2000))).rejects.toThrow();
    await expect(source("http://127.0.0.1:9").listModels(AbortSignal.timeout(500))).rejects.toThrow();
  });
});
