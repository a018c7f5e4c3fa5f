// Real Herald and Redis processes for the tests: what to run comes from the environment that JsClientTest
// (herald-server) passes, so the JVM is the one Maven tests with and the classpath is the test classpath.
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests through io.herald.server.client.JsClientTest (./mvnw verify), which passes the JVM, the test classpath and the secrets`);
  }
  return value;
}

export const env = {
  get java() {
    return required("HERALD_TEST_JAVA");
  },
  get classpath() {
    return required("HERALD_TEST_CLASSPATH");
  },
  get accessToken() {
    return required("HERALD_TEST_ACCESS_TOKEN");
  },
  get jwtSecret() {
    return required("HERALD_TEST_JWT_SECRET");
  },
  get redisServer() {
    return required("HERALD_TEST_REDIS_SERVER");
  },
};

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * Polls `condition` until it holds; fails with `what` (and `detail()`, what was seen) after `timeoutMs`,
 * a bound for a stuck run, not a timing assertion.
 */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000, detail?: () => unknown): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    try {
      if (await condition()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      const seen = detail ? `; seen: ${JSON.stringify(detail())}` : "";
      throw new Error(`waited ${timeoutMs} ms for ${what}${last ? `: ${String(last)}` : ""}${seen}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", () => r()));
}

/** A redis-server without persistence on a free loopback port. */
export class Redis {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<Redis> {
    const dir = mkdtempSync(join(tmpdir(), "herald-js-redis-"));
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child = spawn(env.redisServer, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      live.add(child);
      let output = "";
      const ready = await new Promise<boolean>((resolve) => {
        child.stdout?.on("data", (d: Buffer) => {
          output += d.toString();
          if (output.includes("Ready to accept connections")) resolve(true);
        });
        child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
        child.once("exit", () => resolve(false));
      });
      if (ready) return new Redis(child, port, dir);
      live.delete(child);
      // another process took the port between the probe and the bind
      if (attempt === 5) throw new Error(`redis-server did not start:\n${output}`);
    }
  }

  async stop(): Promise<void> {
    this.child.kill("SIGKILL");
    await exited(this.child);
    live.delete(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const LISTENING = /Herald listening on \S+:(\d+) /;
const START_TIMEOUT = 120_000;

export interface NodeOptions {
  /** The node id's stem: launches are `<name>1`, `<name>2`, ... so a restart need not wait for the old id to expire. */
  name: string;
  yaml: string;
  /** Cluster mode on this Redis. */
  redis?: Redis;
  env?: Record<string, string>;
}

/** One Herald JVM (`io.herald.server.Main serve`), which a test may kill, freeze and start again on the same port. */
export class HeraldNode {
  private child: ChildProcess | undefined;
  private launches = 0;
  private readonly dir: string;
  private readonly log: string;
  port = 0;

  private constructor(private readonly options: NodeOptions) {
    this.dir = mkdtempSync(join(tmpdir(), `herald-js-${options.name}-`));
    this.log = join(this.dir, "node.log");
    writeFileSync(join(this.dir, "herald.yaml"), options.yaml);
    // the test classpath logs at WARN: the start line that names the port is INFO
    writeFileSync(
      join(this.dir, "logback.xml"),
      `<configuration>
  <appender name="OUT" class="ch.qos.logback.core.FileAppender"><file>${this.log}</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n</pattern></encoder></appender>
  <logger name="io.netty" level="WARN"/><logger name="io.vertx" level="WARN"/>
  <root level="INFO"><appender-ref ref="OUT"/></root>
</configuration>`,
    );
  }

  static async start(options: NodeOptions): Promise<HeraldNode> {
    const node = new HeraldNode(options);
    await node.launch(0);
    return node;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get id(): string {
    return `${this.options.name}${this.launches}`;
  }

  private async launch(port: number): Promise<void> {
    this.launches++;
    const childEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      // nothing of the test's own environment may configure the node
      if (v !== undefined && !k.startsWith("HERALD_") && k !== "ACCESS_TOKEN" && k !== "JWT_SECRET") childEnv[k] = v;
    }
    Object.assign(childEnv, {
      ACCESS_TOKEN: env.accessToken,
      JWT_SECRET: env.jwtSecret,
      HERALD_SERVER_HOST: "127.0.0.1",
      HERALD_SERVER_PORT: String(port),
      ...(this.options.redis ? { HERALD_CLUSTER_REDIS_URL: this.options.redis.url, HERALD_CLUSTER_NODE_ID: this.id } : {}),
      ...this.options.env,
    });
    const logStart = existsSync(this.log) ? readFileSync(this.log, "latin1").length : 0;
    const child = spawn(
      env.java,
      [
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-Xss512k",
        `-Dlogback.configurationFile=${join(this.dir, "logback.xml")}`,
        "-cp",
        env.classpath,
        "io.herald.server.Main",
        "serve",
        "--config",
        join(this.dir, "herald.yaml"),
      ],
      { cwd: this.dir, env: childEnv, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    live.add(child);
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    child.once("exit", () => live.delete(child));
    try {
      await until(
        `node ${this.id} to log its port`,
        () => {
          if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output}`);
          const m = existsSync(this.log) ? LISTENING.exec(readFileSync(this.log, "latin1").slice(logStart)) : null;
          if (m) this.port = Number(m[1]);
          return m !== null;
        },
        START_TIMEOUT,
      );
      await until(`node ${this.id} to be ready`, async () => (await fetch(`${this.url}/readyz`)).status === 200, START_TIMEOUT);
    } catch (e) {
      throw new Error(`${String(e)}\n--- ${this.id} log:\n${this.tail()}\n--- console:\n${output}`);
    }
  }

  /** The end of the node's log, for failure messages. */
  tail(lines = 40): string {
    return existsSync(this.log) ? readFileSync(this.log, "utf8").split("\n").slice(-lines).join("\n") : "(no log)";
  }

  /** SIGKILL, like a crash: no shutdown hook, the kernel resets the node's connections. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill("SIGKILL");
    await exited(child);
  }

  /** Starts the node again on the port it had, so clients find it at the same URL. */
  async restart(): Promise<void> {
    await this.launch(this.port);
  }

  /** SIGSTOP: connections stay open and the kernel still accepts new ones, but nothing answers. */
  pause(): void {
    this.child?.kill("SIGSTOP");
  }

  resume(): void {
    this.child?.kill("SIGCONT");
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** POSTs JSON with the access token; the parsed answer. */
  async publish(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${this.url}${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${env.accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  /** `publish` that must answer 200. */
  async send(path: string, body: unknown): Promise<Record<string, unknown>> {
    const { status, json } = await this.publish(path, body);
    if (status !== 200) throw new Error(`${path} answered ${status}: ${JSON.stringify(json)}`);
    return json;
  }
}

/** An HS256 session JWT for `userId` with `roles` in `org`, valid for an hour. */
export function jwt(userId: string, org?: string, roles: string[] = ["owner"]): string {
  const b64 = (value: object | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString("base64url");
  const claims = { sub: userId, ...(org ? { orgs: { [org]: roles } } : {}), exp: Math.floor(Date.now() / 1000) + 3600 };
  const head = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
  return `${head}.${b64(createHmac("sha256", env.jwtSecret).update(head).digest())}`;
}

/** A random suffix, so every run uses fresh scopes, channels and rooms. */
export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}
