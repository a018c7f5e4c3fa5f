// Hocuspocus 4.7 as herald-bench's yjs-edit peer.
//   node hocuspocus-server.mjs [--port 1235] [--host 127.0.0.1]
// No extensions: documents live in memory only, every token is accepted, and `quiet` turns the start
// screen off (Hocuspocus logs nothing per connection without the Logger extension).
import { Server } from "@hocuspocus/server";

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const port = Number(arg("--port", "1235"));
const host = arg("--host", "127.0.0.1");

const server = new Server({ port, address: host, quiet: true });
await server.listen();
console.log(`hocuspocus server listening on ${host}:${server.address.port} (pid ${process.pid})`);
