// y-websocket's reference server (@y/websocket-server) as herald-bench's yjs-edit peer.
//   node ywebsocket-server.mjs [--port 1234] [--host 127.0.0.1]
// The package's own bin (src/server.js) with a host and port from the command line: documents live
// in memory only (YPERSISTENCE and CALLBACK_URL are cleared so a stray environment cannot add disk or
// HTTP work to the server's CPU), and nothing is logged per connection.
import http from "node:http";
import { WebSocketServer } from "ws";

delete process.env.YPERSISTENCE;
delete process.env.CALLBACK_URL;
// utils.js reads the environment when it loads, so it is imported after the clean-up above.
const { setupWSConnection } = await import("@y/websocket-server/utils");

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const port = Number(arg("--port", "1234"));
const host = arg("--host", "127.0.0.1");

const wss = new WebSocketServer({ noServer: true });
wss.on("connection", setupWSConnection);
const server = http.createServer((_req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("okay");
});
server.on("upgrade", (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
});
server.listen(port, host, () => {
  console.log(`y-websocket server listening on ${host}:${server.address().port} (pid ${process.pid})`);
});
