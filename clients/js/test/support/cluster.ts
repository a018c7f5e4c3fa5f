import { afterAll, beforeAll } from "vitest";
import { HeraldError } from "../../src/index.js";
import { HeraldNode, Redis } from "./processes.js";

/** Two cluster nodes on one Redis (so broadcast history and channel rings outlive a node), and one node that hosts rooms. */
export interface Cluster {
  redis: Redis;
  /** The node the clients connect to; tests kill, freeze and restart it. */
  a: HeraldNode;
  /** The node that stays up: tickets and publishes while `a` is down. */
  b: HeraldNode;
  /** A single node with a room binding (a cluster with rooms needs PostgreSQL, which these tests do not need). */
  rooms: HeraldNode;
}

const CLUSTER_YAML = `
broadcast:
  singleUseTickets: true          # a reused ticket is refused: every connect must fetch its own
  history: { size: 5, ttlSeconds: 600 }
  tables:
    tasks: {}
  namespaces:
    jobs: [started, done]
channels:
  public: ["open:*"]
  allow: ["team:{org}:*"]
  maxSubscribersPerChannel: 1     # a second stream on a channel gets 429: how the fallback test breaks streaming
`;

const ROOMS_YAML = `
broadcast:
  singleUseTickets: true
rooms:
  bindings:
    - { name: LOBBY, className: io.herald.room.builtin.RelayRoom }
`;

/** Starts the processes before the file's first test (the three JVMs at once) and kills them after its last. */
export function useCluster(): Cluster {
  const cluster = {} as Cluster;
  beforeAll(async () => {
    cluster.redis = await Redis.start();
    [cluster.a, cluster.b, cluster.rooms] = await Promise.all([
      HeraldNode.start({ name: "a", yaml: CLUSTER_YAML, redis: cluster.redis }),
      HeraldNode.start({ name: "b", yaml: CLUSTER_YAML, redis: cluster.redis }),
      HeraldNode.start({ name: "rooms", yaml: ROOMS_YAML }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([cluster.a?.stop(), cluster.b?.stop(), cluster.rooms?.stop()]);
    await cluster.redis?.stop();
  });
  return cluster;
}

/** A ticket callback that asks `node()` for a ticket with `jwt` and records every ticket it hands out. */
export function ticketsFrom(node: () => HeraldNode, jwt: string, issued: string[] = []): () => Promise<string> {
  return async () => {
    const response = await fetch(`${node().url}/broadcast/v1/ws-ticket`, { method: "POST", headers: { Authorization: `Bearer ${jwt}` } });
    if (!response.ok) throw await HeraldError.fromResponse(response);
    const { wsTicket } = (await response.json()) as { wsTicket: string };
    issued.push(wsTicket);
    return wsTicket;
  };
}

/** Collects what a listener receives. */
export function recorder<T>(): { items: T[]; push: (item: T) => void } {
  const items: T[] = [];
  return { items, push: (item: T) => void items.push(item) };
}
