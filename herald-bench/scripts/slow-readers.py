# slow-readers.py <port> <m> <seconds> <server pid>: M broadcast sockets (org "bench", a 4 KiB receive
# buffer) that never read, for the slow-consumer run in docs/benchmarks.md; prints the server's heap,
# RSS and slow-consumer drops every 3 s. Loopback only; ends by itself after <seconds>.
# Needs the bench config's JWT secret (bench-herald.yaml, JWT_SECRET below).
import socket, json, hmac, hashlib, base64, time, sys, urllib.request, os
port, m, secs, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
secret = os.environ.get("JWT_SECRET", "bench-jwt-secret-0123456789abcdef").encode()
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=")
def jwt(sub):
    h = b64(json.dumps({"alg":"HS256","typ":"JWT"}).encode()); p = b64(json.dumps({"sub":sub,"orgs":{"bench":["role0"]},"exp":int(time.time())+3600}).encode())
    return (h+b"."+p+b"."+b64(hmac.new(secret, h+b"."+p, hashlib.sha256).digest())).decode()
socks=[]
for i in range(m):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/broadcast/v1/ws-ticket", data=b'{"organizationId":"bench"}', headers={"Authorization":"Bearer "+jwt(f"slow{i}"),"Content-Type":"application/json"})
    t = json.load(urllib.request.urlopen(req))["wsTicket"]
    s = socket.create_connection(("127.0.0.1", port)); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(f"GET /broadcast/v1/websocket?ws_ticket={t} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    assert b"101" in s.recv(4096)
    socks.append(s)
def metric(name):
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    tot=0
    for l in body.splitlines():
        if l.startswith(name) and not l.startswith("#"): tot+=float(l.rsplit(" ",1)[1])
    return tot
def rss(): return int([l for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")][0].split()[1])//1024
t0=time.time()
while time.time()-t0 < secs:
    HEAP='jvm_memory_used_bytes{area="heap"'
    h=metric(HEAP)/2**20; d=metric('herald_drops_total')
    print(f"t={time.time()-t0:5.1f}s heap_used={h:7.1f}MiB rss={rss()}MiB drops={d}", flush=True)
    time.sleep(3)
for s in socks:
    s.close()
print("done")
