// Socket.IO 4 peer for herald-bench: the same fan-out jobs as Herald, done the way a Socket.IO user would.
//   node server.js [--port 3000] [--host 127.0.0.1]
// Every client joins room "bench". POST /publish with a JSON body emits it as event "bench" to the room
// (broadcast-fanout); a client's "bench" event is relayed to the rest of the room (room-fanout).
// WebSocket transport only, no per-message compression: the load tool speaks Engine.IO v4 over WebSocket.
'use strict';
const http = require('node:http');
const { Server } = require('socket.io');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const port = Number(arg('--port', process.env.PORT || '3000'));
const host = arg('--host', '127.0.0.1');
const ROOM = 'bench';
const MAX_BODY = 1 << 20;

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/publish') {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"error":"not_found"}');
    return;
  }
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > MAX_BODY) {
      res.writeHead(413).end();
      req.destroy();
    } else {
      chunks.push(c);
    }
  });
  req.on('end', () => {
    let message;
    try {
      message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"error":"bad_json"}');
      return;
    }
    io.to(ROOM).emit('bench', message);
    const room = io.sockets.adapter.rooms.get(ROOM);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ delivered: room ? room.size : 0 }));
  });
});
// keep the load tool's publish connections open between publishes
server.keepAliveTimeout = 60_000;

const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
io.on('connection', (socket) => {
  socket.join(ROOM);
  socket.on('bench', (message) => socket.to(ROOM).emit('bench', message));
});

server.listen(port, host, () => {
  // the load tool's smoke test reads the port from this line (it starts the peer on port 0)
  console.log(`socket.io peer listening on ${host}:${server.address().port} (pid ${process.pid})`);
});
process.on('SIGTERM', () => io.close(() => process.exit(0)));
