package io.herald.config;

import java.util.Map;

/** The whole configuration of one Herald instance; every section has defaults, so {@code empty()} runs. */
public record HeraldConfig(
        @Doc("The edge: where to listen, the server credential, CORS and per-connection limits.") ServerConfig server,
        @Doc("How sessions are authenticated: JWTs (a shared secret or an identity provider's keys), the cookie and API keys.")
        AuthConfig auth,
        @Doc("Broadcast: WebSocket tickets, table rules for postgres_changes events, event namespaces and resume history.")
        BroadcastConfig broadcast,
        @Doc("Rooms (PartyServer-compatible): party bindings with their access gates, per-room limits and hibernation.")
        RoomsConfig rooms,
        @Doc("Channels (Server-Sent Events): channel names, who may read them, replay and caps.") ChannelsConfig channels,
        @Doc("Lanes: per-user WebSocket streams with acks, where they are mounted and who may publish.") LanesConfig lanes,
        @Doc("Room storage: one SQLite file (the default) or a PostgreSQL database, and each room's byte budget.")
        StorageConfig storage,
        @Doc(value = "The application's JDBC databases, by name, queried by access checks (resource gates, broadcast.wsTicket).",
                key = "datasource")
        Map<String, DatasourceConfig> datasources,
        @Doc("Several nodes as one over Redis; without a Redis, one node with an in-memory broker.") ClusterConfig cluster,
        @Doc("Change capture: rows changed in PostgreSQL become postgres_changes events, read from logical replication.")
        CdcConfig cdc,
        @Doc("The operator's admin page at /admin/ and its API, guarded by the server credential.") AdminConfig admin,
        @Doc("What the server writes to its log: text for people or JSON lines for a log pipeline, and the level.") LoggingConfig logging) {

    public HeraldConfig {
        server = server == null ? ServerConfig.defaults() : server;
        auth = auth == null ? AuthConfig.defaults() : auth;
        broadcast = broadcast == null ? BroadcastConfig.defaults() : broadcast;
        rooms = rooms == null ? RoomsConfig.defaults() : rooms;
        channels = channels == null ? ChannelsConfig.defaults() : channels;
        lanes = lanes == null ? LanesConfig.defaults() : lanes;
        storage = storage == null ? StorageConfig.defaults() : storage;
        if (datasources != null) {
            datasources.forEach((name, ds) -> {
                if (ds == null) {
                    throw new ConfigException("datasources." + name, "must be a mapping with the datasource's settings");
                }
            });
        }
        datasources = datasources == null ? Map.of() : Map.copyOf(datasources);
        cluster = cluster == null ? ClusterConfig.defaults() : cluster;
        cdc = cdc == null ? CdcConfig.defaults() : cdc;
        admin = admin == null ? AdminConfig.defaults() : admin;
        logging = logging == null ? LoggingConfig.defaults() : logging;
        for (String table : cdc.postgres().tables().keySet()) {
            String bare = table.substring(table.indexOf('.') + 1);
            if (!broadcast.tables().containsKey(table) && !broadcast.tables().containsKey(bare)) {
                throw new ConfigException("cdc.postgres.tables." + table, "has no rules in broadcast.tables: add broadcast.tables."
                        + bare + " (an empty mapping publishes every column to every member of the row's scope)");
            }
        }
        datasources.forEach((name, ds) -> {
            if (!name.matches("[A-Za-z][A-Za-z0-9_-]{0,63}")) {
                throw new ConfigException("datasources." + name, "datasource names are letters, digits, _ and -");
            }
        });
        broadcast.validateAgainst(datasources.keySet());
        for (int i = 0; i < rooms.bindings().size(); i++) {
            RoomsConfig.Access a = rooms.bindings().get(i).access();
            java.util.List<RoomsConfig.Resource> rs = new java.util.ArrayList<>(a.resources().values());
            if (a.resource() != null) {
                rs.add(a.resource());
            }
            for (RoomsConfig.Resource r : rs) {
                if (!datasources.containsKey(r.datasource())) {
                    throw new ConfigException("rooms.bindings[" + i + "].access", "datasource '" + r.datasource() + "' is not declared");
                }
            }
        }
    }

    /** The zero-config defaults. */
    public static HeraldConfig empty() {
        return new HeraldConfig(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** A copy with another server section. */
    public HeraldConfig withServer(ServerConfig s) {
        return new HeraldConfig(s, auth, broadcast, rooms, channels, lanes, storage, datasources, cluster, cdc, admin, logging);
    }

    /** A copy with another auth section. */
    public HeraldConfig withAuth(AuthConfig a) {
        return new HeraldConfig(server, a, broadcast, rooms, channels, lanes, storage, datasources, cluster, cdc, admin, logging);
    }

    /** A copy with another broadcast section. */
    public HeraldConfig withBroadcast(BroadcastConfig b) {
        return new HeraldConfig(server, auth, b, rooms, channels, lanes, storage, datasources, cluster, cdc, admin, logging);
    }

    /** A copy with another rooms section. */
    public HeraldConfig withRooms(RoomsConfig r) {
        return new HeraldConfig(server, auth, broadcast, r, channels, lanes, storage, datasources, cluster, cdc, admin, logging);
    }

    /** A copy with another channels section. */
    public HeraldConfig withChannels(ChannelsConfig c) {
        return new HeraldConfig(server, auth, broadcast, rooms, c, lanes, storage, datasources, cluster, cdc, admin, logging);
    }

    /** A copy with another lanes section. */
    public HeraldConfig withLanes(LanesConfig l) {
        return new HeraldConfig(server, auth, broadcast, rooms, channels, l, storage, datasources, cluster, cdc, admin, logging);
    }

    /** A copy with another storage section. */
    public HeraldConfig withStorage(StorageConfig st) {
        return new HeraldConfig(server, auth, broadcast, rooms, channels, lanes, st, datasources, cluster, cdc, admin, logging);
    }

    /** A copy with another cluster section. */
    public HeraldConfig withCluster(ClusterConfig c) {
        return new HeraldConfig(server, auth, broadcast, rooms, channels, lanes, storage, datasources, c, cdc, admin, logging);
    }

    /** A copy with other datasources. */
    public HeraldConfig withDatasources(Map<String, DatasourceConfig> d) {
        return new HeraldConfig(server, auth, broadcast, rooms, channels, lanes, storage, d, cluster, cdc, admin, logging);
    }

    /** A copy with another admin section. */
    public HeraldConfig withAdmin(AdminConfig a) {
        return new HeraldConfig(server, auth, broadcast, rooms, channels, lanes, storage, datasources, cluster, cdc, a, logging);
    }

    /** A copy with another logging section. */
    public HeraldConfig withLogging(LoggingConfig l) {
        return new HeraldConfig(server, auth, broadcast, rooms, channels, lanes, storage, datasources, cluster, cdc, admin, l);
    }

    /** A copy with another cdc section. */
    public HeraldConfig withCdc(CdcConfig c) {
        return new HeraldConfig(server, auth, broadcast, rooms, channels, lanes, storage, datasources, cluster, c, admin, logging);
    }
}
