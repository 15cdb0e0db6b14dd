/**
 * The deployment files agree with each other and with the server, checked without Docker:
 * docker-compose.yml, deploy/nginx.conf, deploy/localai/*.yaml, the Dockerfile and
 * .dockerignore, against packages/server/src/config.ts (the only place the server reads its
 * environment).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: Array<string | { type?: string; source?: string; target?: string; read_only?: boolean }>;
  ports?: Array<string | number | { target?: number; published?: string | number }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  stop_grace_period?: string;
}

const compose = parse(read("docker-compose.yml"), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const nginxConf = read("deploy/nginx.conf").replace(/#.*$/gm, "");
const dockerfile = read("Dockerfile");
const configSource = read("packages/server/src/config.ts");
const mainSource = read("packages/server/src/main.ts");

function env(service: Service): Record<string, string> {
  const entries = Array.isArray(service.environment)
    ? service.environment.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const)
    : Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value ?? "")] as const);
  return Object.fromEntries(entries);
}

/** Volumes as { source, target, readOnly } (short "src:dst[:ro]" or long syntax). */
function mounts(service: Service): Array<{ source: string; target: string; readOnly: boolean }> {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume !== "string")
      return { source: volume.source ?? "", target: volume.target ?? "", readOnly: volume.read_only === true };
    const [source = "", target = "", mode = ""] = volume.split(":");
    return { source, target, readOnly: mode.split(",").includes("ro") };
  });
}

function dependsOn(service: Service): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, "service_started"]));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition ?? "service_started"]));
}

function commandLine(service: Service): string {
  return Array.isArray(service.command) ? service.command.join(" ") : (service.command ?? "");
}

/** Compose durations: "20s", "1m30s", "500ms". */
function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) throw new Error(`not a duration: ${text}`);
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * units[unit!]!, 0);
}

/** The Tokencast replicas: the services built from this repository's Dockerfile. */
const replicas = Object.entries(services).filter(([, service]) => {
  const build = service.build;
  if (build === undefined) return false;
  return typeof build === "string"
    ? build === "."
    : (build.context ?? ".") === "." && (build.dockerfile ?? "Dockerfile") === "Dockerfile";
});

describe("docker-compose.yml", () => {
  it("has redis, localai, nginx and at least two Tokencast replicas", () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(["redis", "localai", "nginx"]));
    expect(replicas.length).toBeGreaterThanOrEqual(2);
  });

  it("nginx loads deploy/nginx.conf as its main config and publishes its listen port", () => {
    const nginx = services.nginx!;
    expect(mounts(nginx)).toContainEqual({
      source: "./deploy/nginx.conf",
      target: "/etc/nginx/nginx.conf",
      readOnly: true,
    });
    const listen = [...nginxConf.matchAll(/^\s*listen\s+(\d+)\s*;/gm)].map((m) => Number(m[1]));
    expect(listen).toEqual([80]);
    expect(nginx.ports).toContain("8080:80");
    expect(Object.keys(dependsOn(nginx)).sort()).toEqual(replicas.map(([name]) => name).sort());
  });

  it("the upstream servers in nginx.conf are exactly the replicas, on the port each one listens on", () => {
    const upstream = /upstream\s+tokencast\s*\{([^}]*)\}/.exec(nginxConf)?.[1] ?? "";
    const servers = [...upstream.matchAll(/^\s*server\s+([\w.-]+):(\d+)\b/gm)].map((m) => `${m[1]}:${m[2]}`);
    const expected = replicas.map(([name, service]) => `${name}:${env(service).PORT ?? "3000"}`);
    expect(servers.sort()).toEqual(expected.sort());
    expect(/proxy_pass\s+http:\/\/tokencast\s*;/.test(nginxConf)).toBe(true);
    for (const [, service] of replicas)
      expect(dockerfile).toMatch(new RegExp(`^EXPOSE\\s+${env(service).PORT ?? "3000"}\\b`, "m"));
  });

  it("the replicas use the redis service and the localai service, and wait for Redis to be healthy", () => {
    const redisPort = /--port\s+(\d+)/.exec(commandLine(services.redis!))?.[1] ?? "6379";
    for (const [name, service] of replicas) {
      const vars = env(service);
      const redisUrl = new URL(vars.REDIS_URL ?? "");
      expect([redisUrl.protocol, redisUrl.hostname, redisUrl.port || "6379"], `${name} REDIS_URL`).toEqual([
        "redis:",
        "redis",
        redisPort,
      ]);
      const llm = new URL(vars.LLM_BASE_URL ?? "");
      expect([llm.hostname, llm.port], `${name} LLM_BASE_URL`).toEqual(["localai", "8080"]);
      expect(dependsOn(service), `${name} depends_on`).toMatchObject({
        redis: "service_healthy",
        localai: expect.any(String),
      });
    }
    expect(services.redis!.healthcheck?.test).toBeDefined();
  });

  it("Redis persists with appendonly (fsync always, as the README promises) on a volume", () => {
    const redis = services.redis!;
    expect(commandLine(redis)).toMatch(/--appendonly\s+yes\b/);
    expect(commandLine(redis)).toMatch(/--appendfsync\s+always\b/);
    expect(mounts(redis).some((m) => m.target === "/data")).toBe(true);
  });

  it("LLM_MODEL names the model defined in the LocalAI config mounted into LocalAI's models directory", () => {
    const localai = services.localai!;
    const modelsPath = env(localai).LOCALAI_MODELS_PATH ?? "/models";
    const configs = mounts(localai).filter(
      (m) => m.source.startsWith("./") && path.posix.dirname(m.target) === modelsPath && /\.ya?ml$/.test(m.target),
    );
    expect(configs.length).toBeGreaterThan(0);
    const models = configs.map(
      (m) =>
        parse(read(m.source)) as {
          name?: string;
          parameters?: { model?: string };
          download_files?: Array<{ filename?: string; uri?: string }>;
        },
    );
    for (const model of models) {
      // The model file is the one downloaded.
      expect(model.download_files?.map((f) => f.filename)).toContain(model.parameters?.model);
      for (const file of model.download_files ?? []) expect(file.uri).toMatch(/^https:\/\//);
    }
    for (const [name, service] of replicas)
      expect(
        models.map((m) => m.name),
        `${name} LLM_MODEL`,
      ).toContain(env(service).LLM_MODEL);
  });

  it("every variable passed to Tokencast is one the server reads (packages/server/src/config.ts)", () => {
    for (const [name, service] of replicas) {
      for (const key of Object.keys(env(service))) {
        expect(
          new RegExp(`^\\s*${key}\\s*:`, "m").test(configSource),
          `${name}: ${key} is not in config.ts's schema`,
        ).toBe(true);
      }
    }
  });

  it("gives the replicas time to drain on stop, and LocalAI time to load", () => {
    // main.ts force-exits a margin after SHUTDOWN_GRACE_MS; Docker must not SIGKILL before that.
    const margin = Number(/shutdownGraceMs\s*\+\s*([\d_]+)/.exec(mainSource)?.[1]?.replaceAll("_", ""));
    expect(margin, "the force-exit margin in main.ts").toBeGreaterThanOrEqual(0);
    const defaultGrace = Number(/SHUTDOWN_GRACE_MS:\s*int\(([\d_]+)/.exec(configSource)?.[1]?.replaceAll("_", ""));
    for (const [name, service] of replicas) {
      const vars = env(service);
      const grace = Number(vars.SHUTDOWN_GRACE_MS ?? defaultGrace);
      expect(grace, `${name} SHUTDOWN_GRACE_MS`).toBeGreaterThan(0);
      expect(durationMs(service.stop_grace_period ?? "10s"), `${name} stop_grace_period`).toBeGreaterThan(
        grace + margin,
      );
      expect(
        Number(vars.LLM_FIRST_TOKEN_TIMEOUT_MS ?? 600_000),
        `${name} LLM_FIRST_TOKEN_TIMEOUT_MS`,
      ).toBeGreaterThanOrEqual(5 * 60_000);
    }
  });

  it("every file it bind-mounts exists", () => {
    for (const service of Object.values(services)) {
      for (const mount of mounts(service).filter((m) => m.source.startsWith("./")))
        expect(existsSync(path.join(ROOT, mount.source)), mount.source).toBe(true);
    }
  });
});

describe("Dockerfile and .dockerignore", () => {
  const stages = dockerfile.split(/^FROM\s+/m).slice(1);
  const finalStage = stages.at(-1) ?? "";

  it("is multi-stage on Node 20 and runs as a non-root user", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG\s+NODE_IMAGE=node:20[\w.-]*$/m);
    const users = [...finalStage.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(["root", "0", "0:0"]).not.toContain(users.at(-1));
  });

  it("installs from the lockfile, builds the client, and runs the server with tsx", () => {
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile\b/);
    expect(dockerfile).toMatch(/^RUN pnpm build$/m);
    expect(finalStage).toMatch(/packages\/client\/dist/);
    expect(finalStage).toMatch(/^ENV\s+NODE_ENV=production\b/m);
    expect(finalStage).toMatch(/^EXPOSE\s+3000$/m);
    expect(finalStage).toMatch(/^HEALTHCHECK\b[\s\S]*\/healthz/m);
    expect(finalStage).toMatch(/^CMD \["node", "--import", "tsx", "src\/main\.ts"\]$/m);
    expect(JSON.parse(read("packages/server/package.json")).dependencies).toHaveProperty("tsx");
  });

  it(".dockerignore keeps dependencies, build output, artifacts and git out of the context", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim());
    for (const entry of ["**/node_modules", "**/dist", "test-artifacts", ".git"]) expect(ignored).toContain(entry);
  });
});
