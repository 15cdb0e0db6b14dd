/**
 * A private redis-server per test file, on a free port, so a test can kill and restart it.
 * Nothing is persisted unless `appendonly` is asked for (then every write is fsynced, as in
 * deploy's compose file, so that a SIGKILL loses nothing that was acknowledged).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { waitFor } from "./wait.ts";

export interface RedisProcess {
  port: number;
  url: string;
  /** Stops the server abruptly (SIGKILL). */
  kill(): Promise<void>;
  /** Starts it again on the same port and data dir. */
  restart(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing answers, as behind a network partition. */
  pause(): void;
  /** Unfreezes it (SIGCONT). */
  resume(): void;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RedisOptions {
  appendonly?: boolean;
  /** More redis-server arguments (e.g. a cluster node's). */
  args?: string[];
}

export async function startRedis({ appendonly = false, args = [] }: RedisOptions = {}): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "tokencast-redis-"));
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        appendonly ? "yes" : "no",
        "--appendfsync",
        "always",
        "--dir",
        dir,
        ...args,
      ],
      { stdio: "ignore" },
    );
    await waitFor(() => ping(port), { timeoutMs: 10_000, what: `redis-server on ${port}` });
  };
  const stop = async (signal: NodeJS.Signals) => {
    const current = child;
    // A child killed by a signal has exitCode null and signalCode set: it has exited already.
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once("exit", resolve));
    current.kill(signal);
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: () => stop("SIGKILL"),
    restart: launch,
    pause: () => void child?.kill("SIGSTOP"),
    resume: () => void child?.kill("SIGCONT"),
    close: async () => {
      await stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function ping(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.setTimeout(500);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}
