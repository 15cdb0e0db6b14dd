/**
 * Debian's nginx as a child process, loading deploy/nginx.conf — the file docker-compose uses —
 * with only its marked substitution points changed: the `server tokencast-N:3000` lines of the
 * upstream point at the given addresses, and `listen 80` becomes a free port on 127.0.0.1.
 * What an unprivileged run needs is added around the file, never inside its directives: a
 * temporary prefix, `daemon off`, the pid file and an error log there (`-g`), and temp paths
 * under the prefix (the compiled-in ones are under /var/lib/nginx). Every nginx started here is
 * killed when the test process exits, whatever happens.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./redis.ts";
import { waitFor } from "./wait.ts";

export const NGINX_CONF = fileURLToPath(new URL("../../deploy/nginx.conf", import.meta.url));
const NGINX_BIN = process.env.NGINX_PATH ?? (existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx");

/** `server tokencast-1:3000 max_fails=…;` — the address is replaced, the parameters are kept. */
const UPSTREAM_SERVER = /^(\s*server\s+)(tokencast-\d+:\d+)(\b[^;]*;)/gm;
const LISTEN = /^(\s*listen\s+)80(\s*;)/gm;
const TEMP_PATHS = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] as const;

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export interface NginxOptions {
  /** One address per `server tokencast-N:…` line, e.g. "127.0.0.1:41234". */
  upstreams: string[];
}

export interface NginxProcess {
  url: string;
  port: number;
  /** The filled configuration nginx runs with (deploy/nginx.conf after the substitutions). */
  config: string;
  /** `proxy_read_timeout` of the configuration, in seconds. */
  readTimeoutSeconds: number;
  /** Access log lines so far, in order (the file's `access_log /dev/stdout`). */
  accessLog(): string[];
  /** nginx's error log so far (the file under the prefix, and anything on stderr). */
  errorLog(): string;
  stop(): Promise<void>;
}

/** deploy/nginx.conf with the substitution points filled; throws if they are not where expected. */
export function fillConfig(template: string, upstreams: string[], port: number): string {
  const servers = [...template.matchAll(UPSTREAM_SERVER)];
  if (servers.length === 0 || servers.length !== upstreams.length) {
    const found = `deploy/nginx.conf has ${servers.length} "server tokencast-N:port" lines`;
    throw new Error(`${found}; ${upstreams.length} upstreams were given`);
  }
  if ([...template.matchAll(LISTEN)].length !== 1)
    throw new Error('deploy/nginx.conf must contain exactly one "listen 80;"');
  let next = 0;
  return template
    .replace(
      UPSTREAM_SERVER,
      (_line, head: string, _address: string, tail: string) => `${head}${upstreams[next++]}${tail}`,
    )
    .replace(LISTEN, (_line, head: string, tail: string) => `${head}127.0.0.1:${port}${tail}`);
}

/** `proxy_read_timeout` in seconds (nginx units: ms, s, m; none means seconds). */
export function readTimeoutSeconds(config: string): number {
  const values = [...config.matchAll(/^\s*proxy_read_timeout\s+(\d+)(ms|s|m)?\s*;/gm)];
  if (values.length !== 1) throw new Error(`expected one proxy_read_timeout in the config, found ${values.length}`);
  const [, amount, unit] = values[0]!;
  const factor = unit === "ms" ? 0.001 : unit === "m" ? 60 : 1;
  return Number(amount) * factor;
}

export async function startNginx({ upstreams }: NginxOptions): Promise<NginxProcess> {
  const port = await freePort();
  const config = fillConfig(readFileSync(NGINX_CONF, "utf8"), upstreams, port);
  const verdict = nginxTest(config);
  if (!verdict.ok) throw new Error(`nginx -t rejected the configuration:\n${verdict.output}`);
  const { prefix, args, accessFile, errorFile } = preparePrefix(config);
  // nginx opens /dev/stdout for its access log by path: that must be a file (Node's stdio pipes
  // are sockets, which cannot be opened by path).
  const accessFd = openSync(accessFile, "a");
  const child = spawn(NGINX_BIN, ["-g", `daemon off; pid ${prefix}/nginx.pid; error_log ${errorFile} info;`, ...args], {
    stdio: ["ignore", accessFd, "pipe"],
  });
  closeSync(accessFd);
  live.add(child);
  const stderr: string[] = [];
  let exited = false;
  collectLines(child.stderr!, stderr);
  child.on("exit", () => {
    exited = true;
    live.delete(child);
  });
  const errorLog = () => [readIfExists(errorFile), stderr.join("\n")].filter(Boolean).join("\n");
  const accessLog = () => readIfExists(accessFile).split("\n").filter(Boolean);

  const stop = async () => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      // QUIT would wait for proxied WebSockets to close; the test is over, so stop at once.
      child.kill("SIGTERM");
      await gone;
    }
    rmSync(prefix, { recursive: true, force: true });
  };

  try {
    await waitFor(
      () => {
        if (exited) throw new Error("nginx exited");
        return accepts(port);
      },
      { timeoutMs: 10_000, what: `nginx to listen on ${port}` },
    );
  } catch (error) {
    const log = errorLog();
    await stop();
    throw new Error(`${(error as Error).message}\n--- nginx error log ---\n${log}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    readTimeoutSeconds: readTimeoutSeconds(config),
    accessLog,
    errorLog,
    stop,
  };
}

/** Runs `nginx -t` on a filled configuration in a throw-away prefix. */
export function nginxTest(config: string): { ok: boolean; output: string } {
  const { prefix, args, accessFile } = preparePrefix(config);
  const accessFd = openSync(accessFile, "a");
  try {
    const check = spawnSync(NGINX_BIN, ["-t", "-g", `pid ${prefix}/nginx.pid;`, ...args], {
      encoding: "utf8",
      stdio: ["ignore", accessFd, "pipe"],
    });
    return { ok: check.status === 0, output: `${check.stderr ?? ""}${check.error?.message ?? ""}` };
  } finally {
    closeSync(accessFd);
    rmSync(prefix, { recursive: true, force: true });
  }
}

/** A temporary prefix holding the configuration (with temp paths under it) and the logs. */
function preparePrefix(config: string): { prefix: string; args: string[]; accessFile: string; errorFile: string } {
  const prefix = mkdtempSync(path.join(tmpdir(), "tokencast-nginx-"));
  // Run as root, nginx's workers drop to `nobody`: they must be able to enter the prefix.
  chmodSync(prefix, 0o755);
  const confPath = path.join(prefix, "nginx.conf");
  writeFileSync(confPath, withTempPaths(config, prefix));
  const args = ["-p", `${prefix}/`, "-c", confPath];
  return { prefix, args, accessFile: path.join(prefix, "access.log"), errorFile: path.join(prefix, "error.log") };
}

/** Temp paths under the prefix, declared first in the http block (the file sets none). */
function withTempPaths(config: string, prefix: string): string {
  const lines = TEMP_PATHS.map((name) => `    ${name}_temp_path ${prefix}/${name}_temp;`).join("\n");
  const filled = config.replace(
    /^http\s*\{/m,
    (open) => `${open}\n    # Added by tests/helpers/nginx.ts (unprivileged run)\n${lines}\n`,
  );
  if (filled === config) throw new Error("deploy/nginx.conf has no http { block");
  return filled;
}

function collectLines(stream: NodeJS.ReadableStream, into: string[]): void {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    into.push(...lines);
  });
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    // Not written yet (or nginx failed before opening it; its stderr says why).
    return "";
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.setTimeout(500);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}
