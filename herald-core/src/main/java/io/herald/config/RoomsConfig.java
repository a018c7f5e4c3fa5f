package io.herald.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The Rooms primitive: party bindings with their access gates, hibernation, per-room limits, and
 * {@code leaseMs}, how long a node's hold on a room lasts in a cluster without a renewal (see
 * {@link io.herald.cluster.RoomLeases}): a shorter lease hands the rooms of a dead node over sooner, a
 * longer one survives longer pauses of the owner and of Redis, at a renewal every third of it.
 */
public record RoomsConfig(
        @Doc("Parties: a name, a Room class and an access gate each.") List<Binding> bindings,
        @Doc("A loaded room silent this long drops its instance, in ms; its sockets stay open.") Long hibernateAfterMs,
        @Doc("Sockets per room; the next upgrade gets 429.") Integer maxConnectionsPerRoom,
        @Doc("Largest frame or message, in bytes; a larger one closes the socket with 1009.") Integer maxMessageBytes,
        @Doc("Messages per second refilling each connection's bucket of messageBurst; an empty bucket closes with 1008.")
        Integer messagesPerSecond,
        @Doc("Messages each connection's bucket holds.") Integer messageBurst,
        @Doc("Room instances in memory; past it the least recently active one hibernates.") Integer maxLoadedRooms,
        @Doc("Rooms with sockets or a pending alarm; past it upgrades get 429.") Integer maxRooms,
        @Doc(value = "Threads running room hooks.", computedDefault = "max(4, 2 × CPU cores)", example = "8") Integer workers,
        @Doc(value = "Directory whose *.jar files are on the room class path.", example = "./plugins") String pluginDir,
        @Doc("The built-in PresenceRoom.") Presence presence,
        @Doc("Limits of the built-in YjsRoom.") YjsDocs yjs,
        @Doc("In a cluster: how long a node's hold on a room lasts without a renewal, in ms (1000..600000).") Long leaseMs) {

    public static final long DEFAULT_HIBERNATE_AFTER_MS = 30_000;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ROOM = 1000;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
    public static final int DEFAULT_MESSAGES_PER_SECOND = 100;
    public static final int DEFAULT_MESSAGE_BURST = 200;
    public static final int DEFAULT_MAX_LOADED_ROOMS = 10_000;
    public static final int DEFAULT_MAX_ROOMS = 100_000;
    public static final long DEFAULT_LEASE_MS = 10_000;
    /** Below a second, a renewal every third of it would leave too little room for one slow Redis round trip. */
    public static final long MIN_LEASE_MS = 1_000;
    /** Past ten minutes, a crashed node's rooms would stay unreachable for too long. */
    public static final long MAX_LEASE_MS = 600_000;
    /** The session values an access gate may compare with: {@code roomIdEquals} and the {@code firewall} columns. */
    public static final List<String> CONTEXT_VALUES = List.of("ctx.userId", "ctx.activeOrgId");
    private static final Pattern BINDING = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final Pattern SQL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    public RoomsConfig {
        bindings = bindings == null ? List.of() : List.copyOf(bindings);
        hibernateAfterMs = hibernateAfterMs == null ? DEFAULT_HIBERNATE_AFTER_MS : hibernateAfterMs;
        maxConnectionsPerRoom = maxConnectionsPerRoom == null ? DEFAULT_MAX_CONNECTIONS_PER_ROOM : maxConnectionsPerRoom;
        maxMessageBytes = maxMessageBytes == null ? DEFAULT_MAX_MESSAGE_BYTES : maxMessageBytes;
        messagesPerSecond = messagesPerSecond == null ? DEFAULT_MESSAGES_PER_SECOND : messagesPerSecond;
        messageBurst = messageBurst == null ? DEFAULT_MESSAGE_BURST : messageBurst;
        maxLoadedRooms = maxLoadedRooms == null ? DEFAULT_MAX_LOADED_ROOMS : maxLoadedRooms;
        maxRooms = maxRooms == null ? DEFAULT_MAX_ROOMS : maxRooms;
        workers = workers == null ? Math.max(4, 2 * Runtime.getRuntime().availableProcessors()) : workers;
        presence = presence == null ? new Presence(null) : presence;
        yjs = yjs == null ? new YjsDocs(null, null, null, null) : yjs;
        leaseMs = leaseMs == null ? DEFAULT_LEASE_MS : leaseMs;
        if (leaseMs < MIN_LEASE_MS || leaseMs > MAX_LEASE_MS) {
            throw new ConfigException("rooms.leaseMs", "must be " + MIN_LEASE_MS + ".." + MAX_LEASE_MS + ", was " + leaseMs);
        }
        ServerConfig.positive("rooms.hibernateAfterMs", hibernateAfterMs);
        ServerConfig.positive("rooms.maxConnectionsPerRoom", maxConnectionsPerRoom);
        ServerConfig.positive("rooms.maxMessageBytes", maxMessageBytes);
        ServerConfig.positive("rooms.messagesPerSecond", messagesPerSecond);
        ServerConfig.positive("rooms.messageBurst", messageBurst);
        ServerConfig.positive("rooms.maxLoadedRooms", maxLoadedRooms);
        ServerConfig.positive("rooms.maxRooms", maxRooms);
        ServerConfig.positive("rooms.workers", workers);
        Set<String> parties = new HashSet<>();
        for (int i = 0; i < bindings.size(); i++) {
            Binding b = bindings.get(i);
            String path = "rooms.bindings[" + i + "]";
            if (b == null || b.name() == null || !BINDING.matcher(b.name()).matches()) {
                throw new ConfigException(path + ".name", "is required (letters, digits, _)");
            }
            if (b.className() == null || b.className().isBlank()) {
                throw new ConfigException(path + ".className", "is required");
            }
            String party = partyName(b.name());
            if (party.equals("v1")) {
                throw new ConfigException(path + ".name", "the party name v1 is reserved");
            }
            if (!parties.add(party)) {
                throw new ConfigException(path + ".name", "party name '" + party + "' is already bound");
            }
            b.access().validate(path + ".access");
        }
    }

    public static RoomsConfig defaults() {
        return new RoomsConfig(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public RoomsConfig withBindings(List<Binding> b) {
        return new RoomsConfig(b, hibernateAfterMs, maxConnectionsPerRoom, maxMessageBytes, messagesPerSecond,
                messageBurst, maxLoadedRooms, maxRooms, workers, pluginDir, presence, yjs, leaseMs);
    }

    public RoomsConfig withHibernateAfterMs(long ms) {
        return new RoomsConfig(bindings, ms, maxConnectionsPerRoom, maxMessageBytes, messagesPerSecond,
                messageBurst, maxLoadedRooms, maxRooms, workers, pluginDir, presence, yjs, leaseMs);
    }

    public RoomsConfig withLimits(int maxConnections, int maxMessage, int perSecond, int burst) {
        return new RoomsConfig(bindings, hibernateAfterMs, maxConnections, maxMessage, perSecond,
                burst, maxLoadedRooms, maxRooms, workers, pluginDir, presence, yjs, leaseMs);
    }

    /**
     * The URL name of a binding, as PartyServer derives it: an all-caps name is lower-cased with
     * {@code _} → {@code -}; otherwise each capital gets a dash before it (INTERVIEW_ROOM → interview-room,
     * MyServer → my-server, AIChat → a-i-chat).
     */
    public static String partyName(String binding) {
        boolean hasLetter = binding.chars().anyMatch(Character::isLetter);
        if (hasLetter && binding.equals(binding.toUpperCase(Locale.ROOT))) {
            return binding.toLowerCase(Locale.ROOT).replace('_', '-');
        }
        StringBuilder sb = new StringBuilder();
        for (char c : binding.toCharArray()) {
            if (c >= 'A' && c <= 'Z') {
                sb.append('-').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        String s = sb.toString();
        if (s.startsWith("-")) {
            s = s.substring(1);
        }
        s = s.replace('_', '-');
        if (s.endsWith("-")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** One party: a binding name, the Room class, and its access gate. */
    public record Binding(
            @Doc(value = "Letters, digits and _; the URL's party is derived from it (CHAT_ROOM: chat-room, MyRoom: my-room).",
                    required = true, example = "CHAT")
            String name,
            @Doc(value = "Room class: extends io.herald.room.Room, with a public no-argument constructor.", required = true,
                    example = "io.herald.room.builtin.PresenceRoom")
            String className,
            @Doc("Who may connect: public, authenticated, or an object with one gate.") Access access) {
        public Binding {
            access = access == null ? Access.AUTHENTICATED : access;
        }
    }

    /** A copy whose room leases last {@code ms}. */
    public RoomsConfig withLeaseMs(long ms) {
        return new RoomsConfig(bindings, hibernateAfterMs, maxConnectionsPerRoom, maxMessageBytes, messagesPerSecond,
                messageBurst, maxLoadedRooms, maxRooms, workers, pluginDir, presence, yjs, ms);
    }

    /** A copy with other Yjs document limits. */
    public RoomsConfig withYjs(YjsDocs y) {
        return new RoomsConfig(bindings, hibernateAfterMs, maxConnectionsPerRoom, maxMessageBytes, messagesPerSecond,
                messageBurst, maxLoadedRooms, maxRooms, workers, pluginDir, presence, y, leaseMs);
    }

    /**
     * Limits of the built-in YjsRoom: the largest update a client may send, the largest document
     * (also bounded by {@code storage.maxRoomBytes}), how many increments are kept before they
     * are merged into the document, and the relay window: in a room asked for at least
     * 1000 / {@code relayWindowMs} relays a second, a relay opens a window of {@code relayWindowMs}, and
     * the updates and awareness changes that arrive inside it go out together when it ends, the
     * updates merged into one (0 relays each one at once).
     */
    public record YjsDocs(
            @Doc("Largest update a client may send, in bytes.") Integer maxUpdateBytes,
            @Doc("Largest document, in bytes; storage.maxRoomBytes bounds it too.") Long maxDocumentBytes,
            @Doc("Increments kept before they are merged into the document.") Integer compactAfter,
            @Doc("Relay window, in ms (0..1000): updates arriving inside it go out together, merged; 0: each at once.")
            Integer relayWindowMs) {
        public static final int DEFAULT_MAX_UPDATE_BYTES = 1024 * 1024;
        public static final long DEFAULT_MAX_DOCUMENT_BYTES = 50L * 1024 * 1024;
        public static final int DEFAULT_COMPACT_AFTER = 64;
        public static final int DEFAULT_RELAY_WINDOW_MS = 20;
        public static final int MAX_RELAY_WINDOW_MS = 1000;

        public YjsDocs {
            maxUpdateBytes = maxUpdateBytes == null ? DEFAULT_MAX_UPDATE_BYTES : maxUpdateBytes;
            maxDocumentBytes = maxDocumentBytes == null ? DEFAULT_MAX_DOCUMENT_BYTES : maxDocumentBytes;
            compactAfter = compactAfter == null ? DEFAULT_COMPACT_AFTER : compactAfter;
            relayWindowMs = relayWindowMs == null ? DEFAULT_RELAY_WINDOW_MS : relayWindowMs;
            ServerConfig.positive("rooms.yjs.maxUpdateBytes", maxUpdateBytes);
            ServerConfig.positive("rooms.yjs.maxDocumentBytes", maxDocumentBytes);
            ServerConfig.positive("rooms.yjs.compactAfter", compactAfter);
            if (relayWindowMs < 0 || relayWindowMs > MAX_RELAY_WINDOW_MS) {
                throw new ConfigException("rooms.yjs.relayWindowMs", "must be 0.." + MAX_RELAY_WINDOW_MS);
            }
        }
    }

    /** History kept by the built-in PresenceRoom. */
    public record Presence(@Doc("Messages PresenceRoom keeps per room (0..10000; 0: none).") Integer history) {
        public static final int DEFAULT_HISTORY = 50;

        public Presence {
            history = history == null ? DEFAULT_HISTORY : history;
            if (history < 0 || history > 10_000) {
                throw new ConfigException("rooms.presence.history", "must be 0..10000");
            }
        }
    }

    /**
     * Who may connect: {@code public}, {@code authenticated} (the default), {@code roomIdEquals}
     * ({@code ctx.userId} | {@code ctx.activeOrgId}), one {@code resource}, or a {@code roomId} pattern
     * whose kind group selects one of {@code resources}.
     */
    public record Access(
            @Doc(value = "public (anyone) or authenticated (any valid session).", values = "MODES") String mode,
            @Doc(value = "Only the user (ctx.userId) or the members of the organization (ctx.activeOrgId) whose id is the room id.",
                    values = "CONTEXT_VALUES", example = "ctx.userId")
            String roomIdEquals,
            @Doc("A row that must exist, and be visible to the session, for the room id.") Resource resource,
            @Doc("A pattern of room ids whose kind group picks one of resources.") RoomIdPattern roomId,
            @Doc(value = "Resources by kind, with roomId.", key = "kind") Map<String, Resource> resources) {
        /** What {@code mode} accepts, also written as the whole value ({@code access: public}). */
        public static final List<String> MODES = List.of("public", "authenticated");
        public static final Access AUTHENTICATED = new Access("authenticated", null, null, null, null);
        public static final Access PUBLIC = new Access("public", null, null, null, null);

        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public Access {
            resources = resources == null ? Map.of() : Map.copyOf(resources);
        }

        /** {@code access: public} or {@code access: authenticated} written as a plain string. */
        @Doc(value = "public or authenticated, written as the whole value.", values = "MODES")
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static Access of(String mode) {
            return switch (mode == null ? "" : mode) {
                case "public" -> PUBLIC;
                case "authenticated" -> AUTHENTICATED;
                default -> throw new ConfigException("access", "'" + mode + "' is not public or authenticated");
            };
        }

        public static Access roomIdEquals(String placeholder) {
            return new Access(null, placeholder, null, null, null);
        }

        public static Access resource(Resource r) {
            return new Access(null, null, r, null, null);
        }

        public static Access pattern(RoomIdPattern p, Map<String, Resource> resources) {
            return new Access(null, null, null, p, resources);
        }

        public boolean isPublic() {
            return "public".equals(mode);
        }

        void validate(String path) {
            int kinds = (mode != null ? 1 : 0) + (roomIdEquals != null ? 1 : 0) + (resource != null ? 1 : 0) + (roomId != null ? 1 : 0);
            if (kinds != 1) {
                throw new ConfigException(path, "give exactly one of public, authenticated, roomIdEquals, resource, roomId");
            }
            if (mode != null && !MODES.contains(mode)) {
                throw new ConfigException(path, "'" + mode + "' is not public or authenticated");
            }
            if (roomIdEquals != null && !CONTEXT_VALUES.contains(roomIdEquals)) {
                throw new ConfigException(path + ".roomIdEquals", "must be ctx.userId or ctx.activeOrgId");
            }
            if (resource != null) {
                resource.validate(path + ".resource");
            }
            if (roomId != null) {
                roomId.validate(path + ".roomId");
                if (resources.isEmpty()) {
                    throw new ConfigException(path + ".resources", "is required with roomId");
                }
                resources.forEach((kind, r) -> r.validate(path + ".resources." + kind));
            } else if (!resources.isEmpty()) {
                throw new ConfigException(path + ".resources", "only goes with roomId");
            }
        }
    }

    /**
     * A row that must exist (and be visible) for the room id:
     * {@code SELECT 1 FROM <table> WHERE <key> = ? AND <firewall col> = <ctx value> [AND <softDelete> IS NULL]}.
     */
    public record Resource(
            @Doc(value = "Datasource, declared under datasources, holding the table.", required = true, example = "app") String datasource,
            @Doc(value = "Table that must hold a row whose key is the room id.", required = true, example = "chats") String table,
            @Doc("Column compared with the room id.") String key,
            @Doc(value = "Further columns that must equal the session's ctx.userId or ctx.activeOrgId.", key = "column",
                    values = "CONTEXT_VALUES", example = "{ organization_id: ctx.activeOrgId }")
            Map<String, String> firewall,
            @Doc(value = "Column that must be NULL: soft-deleted rows are refused.", example = "deleted_at") String softDelete) {
        public Resource {
            key = key == null || key.isBlank() ? "id" : key;
            firewall = firewall == null ? Map.of() : Map.copyOf(firewall);
        }

        void validate(String path) {
            if (datasource == null || datasource.isBlank()) {
                throw new ConfigException(path + ".datasource", "is required");
            }
            name(path + ".table", table);
            name(path + ".key", key);
            if (softDelete != null) {
                name(path + ".softDelete", softDelete);
            }
            firewall.forEach((col, value) -> {
                name(path + ".firewall." + col, col);
                if (!CONTEXT_VALUES.contains(value)) {
                    throw new ConfigException(path + ".firewall." + col, "must be ctx.userId or ctx.activeOrgId");
                }
            });
        }

        private static void name(String path, String v) {
            if (v == null || !SQL_NAME.matcher(v).matches()) {
                throw new ConfigException(path, "must be a plain SQL identifier");
            }
        }
    }

    /** A room-id pattern with the groups holding the resource kind and its id. */
    public record RoomIdPattern(
            @Doc(value = "Regular expression the whole room id must match.", required = true,
                    example = "\"^(day-note|record):([A-Za-z0-9_-]+)$\"")
            String pattern,
            @Doc("Group of the pattern holding the resource kind.") Integer kindGroup,
            @Doc("Group of the pattern holding the id looked up.") Integer idGroup) {
        public RoomIdPattern {
            kindGroup = kindGroup == null ? 1 : kindGroup;
            idGroup = idGroup == null ? 2 : idGroup;
        }

        void validate(String path) {
            try {
                int groups = Pattern.compile(pattern).matcher("").groupCount();
                if (kindGroup < 1 || kindGroup > groups || idGroup < 1 || idGroup > groups) {
                    throw new ConfigException(path, "kindGroup and idGroup must name groups of the pattern");
                }
            } catch (PatternSyntaxException | NullPointerException e) {
                throw new ConfigException(path + ".pattern", "is not a valid regular expression");
            }
        }
    }
}
