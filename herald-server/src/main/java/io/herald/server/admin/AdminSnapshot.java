package io.herald.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.Herald;
import io.herald.channel.ChannelHub;
import io.herald.inspect.PublishTail;
import io.herald.lane.LaneHub;
import io.herald.redis.NodeInfo;
import io.herald.room.RoomHost;
import io.herald.server.cluster.ClusterNodes;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Builds what the admin page shows, as one JSON object: every node of the cluster's node list with its
 * connections by primitive, then this node's sockets, rooms, channels, lanes, last publishes and sparklines.
 * Each list is cut at a fixed length and carries the full count, so a snapshot stays small on a busy node.
 * Thread-safe; {@link #build()} completes off the caller's thread when rooms or the node list answer later.
 */
final class AdminSnapshot {
    static final int MAX_SOCKETS = 200;
    static final int MAX_ROOMS = 100;
    static final int MAX_PEERS = 20;
    static final int MAX_CHANNELS = 100;
    static final int MAX_LANES = 100;
    /** How long a room's own context is given to describe itself before it is shown from outside. */
    static final long ROOM_WAIT_MS = 250;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Herald herald;
    private final ClusterNodes nodes;
    private final SocketDirectory sockets;
    private final MeterSamples samples;
    private final boolean devMode;

    AdminSnapshot(Herald herald, ClusterNodes nodes, SocketDirectory sockets, MeterSamples samples, boolean devMode) {
        this.herald = herald;
        this.nodes = nodes;
        this.sockets = sockets;
        this.samples = samples;
        this.devMode = devMode;
    }

    /** The snapshot; never fails: a node list that cannot be read is reported in {@code nodesError}. */
    CompletableFuture<ObjectNode> build() {
        ObjectNode out = JSON.objectNode();
        String self = herald.config().cluster().nodeId();
        boolean clustered = herald.config().cluster().redis().enabled();
        out.put("node", self).put("at", Instant.now().toString()).put("devMode", devMode).put("clustered", clustered)
                .put("detail", clustered ? "Sockets, rooms, channels, lanes and publishes are this node's (" + self
                        + ") only; the node list covers the cluster." : "A single node: everything shown is this node's.");
        sockets(out.putObject("sockets"));
        channels(out.putObject("channels"));
        lanes(out.putObject("lanes"));
        publishes(out.putArray("publishes"));
        metrics(out.putObject("metrics"));
        CompletableFuture<Void> roomsDone = herald.rooms().inspect(MAX_ROOMS, MAX_PEERS, ROOM_WAIT_MS)
                .thenAccept(views -> {
                    synchronized (out) {
                        rooms(out.putObject("rooms"), views);
                    }
                });
        CompletableFuture<Void> nodesDone;
        try {
            nodesDone = nodes.list().handle((list, failure) -> {
                synchronized (out) {
                    if (failure != null) {
                        out.put("nodesError", "The node list cannot be read: " + rootMessage(failure));
                        out.putArray("nodes");
                    } else {
                        nodes(out.putArray("nodes"), list, self);
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            out.put("nodesError", "The node list cannot be read: " + rootMessage(e));
            out.putArray("nodes");
            nodesDone = CompletableFuture.completedFuture(null);
        }
        // rooms and nodes may answer on two threads at once: both write out under its lock, and so does the reader
        return CompletableFuture.allOf(roomsDone, nodesDone).thenApply(v -> {
            synchronized (out) {
                return out;
            }
        });
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t != t.getCause()) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    private static void nodes(ArrayNode array, List<NodeInfo> list, String self) {
        for (NodeInfo n : list) {
            ObjectNode node = array.addObject().put("id", n.id()).put("address", n.address())
                    .put("started", n.started().toString()).put("self", n.id().equals(self));
            ObjectNode connections = node.putObject("connections");
            n.connections().forEach(connections::put);
            ArrayNode roles = node.putArray("roles");
            n.roles().forEach(roles::add);
        }
    }

    private void sockets(ObjectNode out) {
        out.put("total", sockets.size());
        ArrayNode shown = out.putArray("shown");
        for (SocketDirectory.Entry e : sockets.newest(MAX_SOCKETS)) {
            shown.addObject().put("id", e.id()).put("primitive", e.primitive()).put("userId", e.userId())
                    .put("target", e.target()).put("openedAt", Instant.ofEpochMilli(e.openedAtMillis()).toString());
        }
    }

    private void rooms(ObjectNode out, List<RoomHost.RoomView> views) {
        out.put("total", herald.rooms().rooms()).put("loaded", herald.rooms().loadedRooms());
        ArrayNode shown = out.putArray("shown");
        for (RoomHost.RoomView v : views) {
            ObjectNode room = shown.addObject().put("party", v.party()).put("room", v.room()).put("loaded", v.loaded())
                    .put("sockets", v.sockets());
            ArrayNode presence = room.putArray("presence");
            for (RoomHost.Peer p : v.presence()) {
                presence.addObject().put("id", p.id()).put("userId", p.userId()).set("state", p.state());
            }
        }
    }

    private void channels(ObjectNode out) {
        ChannelHub hub = herald.channels();
        out.put("total", hub.channelCount());
        ArrayNode shown = out.putArray("shown");
        for (ChannelHub.ChannelView v : hub.inspect(MAX_CHANNELS)) {
            shown.addObject().put("name", v.name()).put("subscribers", v.subscribers()).put("lastId", v.lastId());
        }
    }

    private void lanes(ObjectNode out) {
        LaneHub hub = herald.lanes();
        out.put("total", hub.laneCount());
        ArrayNode shown = out.putArray("shown");
        for (LaneHub.LaneView v : hub.inspect(MAX_LANES)) {
            shown.addObject().put("userId", v.userId()).put("sockets", v.sockets()).put("owedAcks", v.owedAcks())
                    .put("pendingPublishes", v.pendingPublishes());
        }
    }

    private void publishes(ArrayNode out) {
        for (PublishTail.Entry e : herald.publishTail().entries()) {
            ObjectNode p = out.addObject().put("seq", e.seq()).put("at", Instant.ofEpochMilli(e.atMillis()).toString())
                    .put("primitive", e.primitive()).put("target", e.target()).put("event", e.event())
                    .put("payload", e.payload()).put("hidden", e.hidden()).put("delivered", e.delivered()).put("error", e.error());
            p.putObject("publisher").put("kind", e.publisher().kind()).put("name", e.publisher().name());
        }
    }

    private void metrics(ObjectNode out) {
        out.put("intervalMs", 1000);
        ArrayNode at = out.putArray("at");
        ArrayNode deliveries = out.putArray("deliveriesPerSec");
        ArrayNode drops = out.putArray("dropsPerSec");
        ArrayNode p99 = out.putArray("p99FanoutMs");
        for (MeterSamples.Point p : samples.points()) {
            at.add(p.atMillis());
            deliveries.add(p.deliveriesPerSec());
            drops.add(p.dropsPerSec());
            if (p.p99FanoutMs() == null) {
                p99.addNull();
            } else {
                p99.add(p.p99FanoutMs());
            }
        }
    }
}
