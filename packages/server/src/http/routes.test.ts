import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../core/ports.ts";
import { createHttpApp } from "./routes.ts";

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const servers: Server[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The pages of an app serving `clientDir`, on a free port. */
async function pages(clientDir: string): Promise<string> {
  const app = createHttpApp({ clientDir, readiness: async () => ({}), status: () => ({}), logger: silent });
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "tc-pages-"));
  dirs.push(dir);
  return dir;
}

describe("pages", () => {
  it("without a built client: 503 that does not show where the server looked for it", async () => {
    const missing = path.join(tempDir(), "secret-build-dir");
    const base = await pages(missing);
    for (const page of ["/", "/r/room-1", "/r/room-1/"]) {
      const reply = await fetch(`${base}${page}`);
      expect(reply.status, page).toBe(503);
      const text = await reply.text();
      expect(text).toMatch(/not built/);
      expect(text).not.toContain("secret-build-dir");
    }
  });

  it("a room's page opens with or without a trailing slash (routing is otherwise strict)", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>app</title>");
    const base = await pages(dir);
    for (const page of ["/r/room-1", "/r/room-1/"]) expect((await fetch(`${base}${page}`)).status, page).toBe(200);
    expect((await fetch(`${base}/r/room-1/x`)).status).toBe(404);
  });
});
