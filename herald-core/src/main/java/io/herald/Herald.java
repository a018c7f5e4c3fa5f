package io.herald;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.auth.ApiKeys;
import io.herald.auth.JwksCache;
import io.herald.auth.JwtVerifier;
import io.herald.auth.ServerCredential;
import io.herald.auth.SessionAuthenticator;
import io.herald.auth.TicketService;
import io.herald.broadcast.BroadcastHub;
import io.herald.broadcast.TicketIssuer;
import io.herald.channel.ChannelAuthorizer;
import io.herald.channel.ChannelHub;
import io.herald.channel.RuleAuthorizer;
import io.herald.cluster.Broker;
import io.herald.lane.LaneHub;
import io.herald.cluster.InMemoryBroker;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.datasource.Datasources;
import io.herald.inspect.PublishTail;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.herald.config.RoomsConfig;
import io.herald.room.AccessGate;
import io.herald.room.ConnectRequest;
import io.herald.room.Refusal;
import io.herald.room.Room;
import io.herald.room.RoomBinding;
import io.herald.room.RoomHost;
import io.herald.storage.SqliteStorage;
import io.herald.storage.Storage;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.time.Clock;
import java.time.Duration;

/**
 * One Herald engine: the hubs of the primitives, authentication, tickets, the broker and the
 * datasources of one configuration. Embedding applications publish through it with no network hop
 * ({@code herald.broadcast().publish(...)}); herald-server puts the HTTP/WebSocket edge in front of it.
 * Thread-safe. Owns its resources: {@link #close()} releases them; two instances can share a JVM.
 */
public final class Herald implements AutoCloseable {
    private final HeraldConfig config;
    private final ObjectMapper json;
    private final Meters meters;
    private final Broker broker;
    private final Datasources datasources;
    private final ServerCredential serverCredential;
    private final JwksCache jwks;
    private final SessionAuthenticator sessions;
    private final TicketService tickets;
    private final BroadcastHub broadcast;
    private final TicketIssuer ticketIssuer;
    private final Storage storage;
    private final RoomHost rooms;
    private final ChannelHub channels;
    private final LaneHub lanes;
    private final ChannelAuthorizer channelAuthorizer;
    private final Map<String, AccessGate> roomGates = new HashMap<>();
    private final PublishTail publishTail;

    private Herald(Builder b) {
        this.config = b.config;
        if (config.server().accessToken() == null) {
            throw new ConfigException("server.accessToken", "is required (ACCESS_TOKEN)");
        }
        if (config.auth().jwt().secret() == null && config.auth().jwt().jwksUrl() == null) {
            throw new ConfigException("auth.jwt.secret", "is required (JWT_SECRET) unless auth.jwt.jwksUrl is set");
        }
        this.json = new ObjectMapper();
        this.meters = new Meters(b.registry == null ? new SimpleMeterRegistry() : b.registry);
        this.broker = b.broker == null ? new InMemoryBroker() : b.broker;
        this.serverCredential = new ServerCredential(config.server().accessToken());
        var jwt = config.auth().jwt();
        this.jwks = jwt.jwksUrl() == null ? null : new JwksCache(URI.create(jwt.jwksUrl()), b.clock);
        this.sessions = new SessionAuthenticator(new JwtVerifier(jwt, jwks, b.clock, json),
                new ApiKeys(config.auth().apiKeys()), serverCredential, config.auth().cookie().name(), config.server());
        var bc = config.broadcast();
        this.tickets = new TicketService(config.server().accessToken(), Duration.ofSeconds(bc.ticketTtlSeconds()),
                bc.singleUseTickets(), bc.maxUsedTickets(), b.clock, json);
        // before anything that holds resources: a refused storage configuration leaves nothing to close
        this.storage = b.storage != null ? b.storage : configuredStorage(config, !b.rooms.isEmpty() || !config.rooms().bindings().isEmpty());
        this.datasources = new Datasources(config.datasources());
        // kept only where an admin page can read it
        this.publishTail = config.admin().enabled() ? new PublishTail(PublishTail.CAPACITY) : PublishTail.off();
        try {
            this.broadcast = new BroadcastHub(bc, broker, meters, json, publishTail);
            this.ticketIssuer = new TicketIssuer(bc, tickets, datasources);
            List<RoomBinding> bindings = new ArrayList<>(b.rooms);
            ClassLoader loader = pluginLoader(config.rooms().pluginDir());
            config.rooms().bindings().forEach(rb -> bindings.add(RoomBinding.load(rb, loader)));
            for (RoomBinding rb : bindings) {
                roomGates.put(rb.party(), new AccessGate("rooms.bindings." + rb.name() + ".access", rb.access(), datasources));
            }
            this.rooms = new RoomHost(config.rooms(), bindings, storage, meters, broker, b.roomLeases);
            this.channels = new ChannelHub(config.channels(), storage, broker, meters, json, publishTail);
            this.lanes = new LaneHub(config.lanes(), broker, meters, json, publishTail);
            this.channelAuthorizer = b.channelAuthorizer != null ? b.channelAuthorizer
                    : new RuleAuthorizer(sessions, config.channels().allow(), config.channels().publicChannels());
        } catch (RuntimeException e) {
            datasources.close();
            storage.close();
            throw e;
        }
        if (jwks != null) {
            jwks.start();
        }
    }

    /**
     * The SQLite storage of {@code storage.path}. Refused in a cluster that hosts rooms, where each node
     * would write its own file and a room would see different state on each node (a cluster without rooms
     * keeps nothing in it: channels keep their rings in the broker); PostgreSQL ({@code storage.url}) is
     * opened by herald-server's herald-postgres module, so an embedder passes it to {@link Builder#storage}.
     */
    private static Storage configuredStorage(HeraldConfig config, boolean hostsRooms) {
        if (config.storage().postgres()) {
            throw new ConfigException("storage.url", "PostgreSQL storage is opened by herald-server (module herald-postgres);"
                    + " when embedding, pass an io.herald.postgres.PostgresStorage to Herald.Builder.storage");
        }
        if (config.cluster().redis().enabled() && hostsRooms) {
            throw new ConfigException("storage", "a cluster (cluster.redis) that hosts rooms needs storage shared by every node: with SQLite each"
                    + " node would keep its own file at storage.path and a room's state would differ between nodes;"
                    + " set storage.url to a PostgreSQL database (jdbc:postgresql://host:5432/db)");
        }
        return new SqliteStorage(Path.of(config.storage().path()), config.storage().maxRoomBytes());
    }

    private static ClassLoader pluginLoader(String dir) {
        ClassLoader parent = Herald.class.getClassLoader();
        if (dir == null || dir.isBlank()) {
            return parent;
        }
        try (var files = Files.list(Path.of(dir))) {
            URL[] jars = files.filter(f -> f.toString().endsWith(".jar")).sorted().map(f -> {
                try {
                    return f.toUri().toURL();
                } catch (java.net.MalformedURLException e) {
                    throw new ConfigException("rooms.pluginDir", e.getMessage());
                }
            }).toArray(URL[]::new);
            return new URLClassLoader("herald-plugins", jars, parent);
        } catch (java.io.IOException e) {
            throw new ConfigException("rooms.pluginDir", "cannot list " + dir + ": " + e.getMessage());
        }
    }

    /** An engine on {@code config} with an in-memory broker, the system clock and a private meter registry. */
    public static Herald create(HeraldConfig config) {
        return builder(config).build();
    }

    public static Builder builder(HeraldConfig config) {
        return new Builder(config);
    }

    public HeraldConfig config() {
        return config;
    }

    /** The Broadcast primitive: publish postgres_changes and custom events in-process. */
    public BroadcastHub broadcast() {
        return broadcast;
    }

    /** The Rooms primitive: the actors of every party. */
    public RoomHost rooms() {
        return rooms;
    }

    /** The Channels primitive (SSE): publish in-process with {@code channels().publish(channel, event, data)}. */
    public ChannelHub channels() {
        return channels;
    }

    /** User lanes: publish with acks in-process with {@code lanes().publish(userId, type, payload, timeout)}. */
    public LaneHub lanes() {
        return lanes;
    }

    /** Who may read a channel: the configured rules unless the embedder supplied its own. */
    public ChannelAuthorizer channelAuthorizer() {
        return channelAuthorizer;
    }

    /** The access gate of a party. */
    public Optional<AccessGate> roomGate(String party) {
        return Optional.ofNullable(roomGates.get(party));
    }

    /** Durable per-room storage: SQLite at {@code storage.path}, or the storage given to the builder. */
    public Storage storage() {
        return storage;
    }

    public TicketIssuer ticketIssuer() {
        return ticketIssuer;
    }

    public TicketService tickets() {
        return tickets;
    }

    public SessionAuthenticator sessions() {
        return sessions;
    }

    public ServerCredential serverCredential() {
        return serverCredential;
    }

    /** The broker every primitive publishes through: in-memory on one node, or the one given to the builder. */
    public Broker broker() {
        return broker;
    }

    public Meters meters() {
        return meters;
    }

    /** The last publishes of this node, kept when {@code admin.enabled} (else it keeps nothing). */
    public PublishTail publishTail() {
        return publishTail;
    }

    public ObjectMapper json() {
        return json;
    }

    @Override
    public void close() {
        rooms.close();
        channels.close();
        lanes.close();
        datasources.close();
        broker.close();
        storage.close();
        if (jwks != null) {
            jwks.close();
        }
    }

    /** Builds a {@link Herald} with optional collaborators replaced (clock for tests, broker, meter registry). */
    public static final class Builder {
        private final HeraldConfig config;
        private Clock clock = Clock.systemUTC();
        private Broker broker;
        private MeterRegistry registry;
        private Storage storage;
        private ChannelAuthorizer channelAuthorizer;
        private io.herald.cluster.RoomLeases roomLeases;
        private final List<RoomBinding> rooms = new ArrayList<>();

        private Builder(HeraldConfig config) {
            this.config = config;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        public Builder broker(Broker b) {
            this.broker = b;
            return this;
        }

        public Builder meterRegistry(MeterRegistry r) {
            this.registry = r;
            return this;
        }

        /** Replaces the configured channel rules with embedder code. */
        public Builder channelAuthorizer(ChannelAuthorizer a) {
            this.channelAuthorizer = a;
            return this;
        }

        /**
         * The leases that give each room one owner node; with a broker shared by several nodes, rooms then
         * run only on their owner and the other nodes forward to it (storage must be shared and fenced).
         */
        public Builder roomLeases(io.herald.cluster.RoomLeases leases) {
            this.roomLeases = leases;
            return this;
        }

        public Builder storage(Storage s) {
            this.storage = s;
            return this;
        }

        /**
         * Binds a party in code: {@code name} is the binding name (its kebab-case is the URL name),
         * {@code factory} builds a room instance, {@code access} guards it, {@code gate} runs before each
         * upgrade (may be null).
         */
        public Builder room(String name, Supplier<? extends Room> factory, RoomsConfig.Access access,
                            Function<ConnectRequest, Optional<Refusal>> gate) {
            rooms.add(new RoomBinding(name, factory, access, gate));
            return this;
        }

        /**
         * Binds a party built in code, for example with {@link RoomBinding#admitting}, whose
         * {@code onBeforeConnect} can attach props for the room.
         */
        public Builder room(RoomBinding binding) {
            rooms.add(binding);
            return this;
        }

        public Herald build() {
            return new Herald(this);
        }
    }
}
