// The package is not published: the tarball `npm pack` writes is what users install. It must install
// into an empty project and load as ESM and as CommonJS, with its types, partysocket included.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const scratch = mkdtempSync(join(tmpdir(), "herald-js-pack-"));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" } });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

const EXPORTS = ["HeraldError", "createBroadcast", "createChannel", "createLane", "createRoom", "defineRealtime"];

// builds a room without connecting: partysocket must load from the installed dependency
const PROBE = `
  const names = Object.keys(m).sort();
  const room = m.createRoom({ host: "127.0.0.1:1", party: "lobby", room: "r1", startClosed: true, WebSocket: class {} });
  const error = m.HeraldError.fromBody(401, '{"error":"invalid_ticket","message":"The WebSocket ticket is invalid."}');
  console.log(JSON.stringify({ names, room: room.roomUrl, partysocket: room instanceof PartySocket, code: error.code, status: error.status }));
`;

it("npm pack writes a tarball that installs and loads as ESM and CommonJS, with types", () => {
  run(npm, ["pack", "--pack-destination", scratch], root);
  const tarball = readdirSync(scratch).find((f) => f.endsWith(".tgz"));
  expect(tarball).toMatch(/^herald-client-.*\.tgz$/);

  const app = join(scratch, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "scratch-app", version: "0.0.0", private: true }));
  run(npm, ["install", join(scratch, tarball as string), "--no-audit", "--no-fund", "--prefer-offline"], app);

  const esm = run(process.execPath, ["--input-type=module", "-e", `import * as m from "@herald/client"; import { PartySocket } from "partysocket"; ${PROBE}`], app);
  const cjs = run(process.execPath, ["-e", `const m = require("@herald/client"); const { PartySocket } = require("partysocket"); ${PROBE}`], app);
  const expected = { names: EXPORTS, room: "ws://127.0.0.1:1/parties/lobby/r1", partysocket: true, code: "invalid_ticket", status: 401 };
  expect(JSON.parse(esm)).toEqual(expected);
  expect(JSON.parse(cjs)).toEqual(expected);

  // the types resolve for both module kinds; a misuse that compiled would mean they fell back to any
  const check = `
    import { createBroadcast, type BroadcastClient, type HeraldError } from "@herald/client";
    const client: BroadcastClient = createBroadcast({ url: "https://herald.test", ticket: async () => "t" });
    client.on("error", (e: HeraldError) => e.status);
    // @ts-expect-error: the ticket is required
    createBroadcast({ url: "https://herald.test" });
  `;
  writeFileSync(join(app, "check.mts"), check);
  writeFileSync(join(app, "check.cts"), check);
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2022", "dom"], types: [] },
      files: ["check.mts", "check.cts"],
    }),
  );
  run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", app], app);
});
