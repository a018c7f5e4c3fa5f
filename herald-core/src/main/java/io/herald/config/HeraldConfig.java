package io.herald.config;

import java.util.Map;

/** The whole configuration of one Herald instance; every section has defaults, so {@code empty()} runs. */
public record HeraldConfig(
        ServerConfig server,
        AuthConfig auth,
        BroadcastConfig broadcast,
        RoomsConfig rooms,
        ChannelsConfig channels,
        LanesConfig lanes,
        StorageConfig storage,
        Map<String, DatasourceConfig> datasources,
        ClusterConfig cluster,
        CdcConfig cdc,
        AdminConfig admin,
        LoggingConfig logging) {

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
