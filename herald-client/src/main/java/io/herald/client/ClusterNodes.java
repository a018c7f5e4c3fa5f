package io.herald.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The live nodes, {@code GET /cluster/v1/nodes}, as their last heartbeat described them. A single
 * node lists itself alone.
 *
 * @param nodes     the live nodes
 * @param cdcLeader the node reading the change-capture slot, when one does
 */
public record ClusterNodes(List<Node> nodes, Optional<String> cdcLeader) {

    public ClusterNodes {
        nodes = List.copyOf(nodes);
        cdcLeader = cdcLeader == null ? Optional.empty() : cdcLeader;
    }

    /**
     * One node.
     *
     * @param id          its {@code cluster.nodeId}
     * @param address     its {@code server.host:port}
     * @param started     when it started
     * @param connections its open connections by primitive ({@code broadcast}, {@code channels}, {@code lanes}, {@code rooms})
     * @param roles       e.g. {@code cdc-leader}
     */
    public record Node(String id, String address, Instant started, Map<String, Integer> connections, List<String> roles) {

        public Node {
            connections = Map.copyOf(connections);
            roles = List.copyOf(roles);
        }
    }
}
