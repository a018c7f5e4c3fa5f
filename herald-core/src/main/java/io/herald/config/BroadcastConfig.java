package io.herald.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The Broadcast primitive: ticket lifetime, resource tickets, table rules and event namespaces. */
public record BroadcastConfig(
        @Doc("How long a WebSocket ticket is valid, in seconds (1..3600).") Long ticketTtlSeconds,
        @Doc("Whether each ticket opens one socket only.") Boolean singleUseTickets,
        @Doc("Resource tickets: a ticket request carrying requestField is checked in SQL and scoped to that one resource.")
        WsTicket wsTicket,
        @Doc(value = "Rules for postgres_changes events, by table name; events of a table not listed are refused.", key = "table")
        Map<String, TableConfig> tables,
        @Doc(value = "Custom event names allowed per namespace: screening: [started] allows the event screening:started.",
                key = "namespace", example = "{ screening: [started, progress, complete] }")
        Map<String, List<String>> namespaces,
        @Doc("Scopes (organizations, resources) with sockets on this node at once; past it a new socket is closed with 1013.")
        Integer maxScopes,
        @Doc("Single-use tickets remembered until they expire; past it ticket requests get 429.") Integer maxUsedTickets,
        @Doc("What each scope keeps for resuming sockets (&since=).") History history) {

    public static final long DEFAULT_TICKET_TTL_SECONDS = 60;
    public static final int DEFAULT_MAX_SCOPES = 100_000;
    public static final int DEFAULT_MAX_USED_TICKETS = 100_000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern NAMED_PARAM = Pattern.compile("(?<!:):([A-Za-z_][A-Za-z0-9_]*)");
    /** The named parameters a ticket check may use. */
    public static final Set<String> CHECK_PARAMS = Set.of("id", "userId", "role", "organizationId");

    public BroadcastConfig {
        ticketTtlSeconds = ticketTtlSeconds == null ? DEFAULT_TICKET_TTL_SECONDS : ticketTtlSeconds;
        singleUseTickets = singleUseTickets != null && singleUseTickets;
        // null entries (a YAML key with no value) must fail with their path, before Map.copyOf would throw an NPE
        if (tables != null) {
            tables.forEach((name, t) -> {
                if (t == null) {
                    throw new ConfigException("broadcast.tables." + name, "must be a mapping");
                }
            });
        }
        if (namespaces != null) {
            namespaces.forEach((ns, names) -> {
                if (names == null) {
                    throw new ConfigException("broadcast.namespaces." + ns, "must list at least one event name");
                }
            });
        }
        tables = tables == null ? Map.of() : Map.copyOf(tables);
        namespaces = namespaces == null ? Map.of() : Map.copyOf(namespaces);
        maxScopes = maxScopes == null ? DEFAULT_MAX_SCOPES : maxScopes;
        maxUsedTickets = maxUsedTickets == null ? DEFAULT_MAX_USED_TICKETS : maxUsedTickets;
        history = history == null ? History.defaults() : history;
        if (ticketTtlSeconds < 1 || ticketTtlSeconds > 3600) {
            throw new ConfigException("broadcast.ticketTtlSeconds", "must be 1..3600");
        }
        ServerConfig.positive("broadcast.maxScopes", maxScopes);
        ServerConfig.positive("broadcast.maxUsedTickets", maxUsedTickets);
        tables.forEach((name, t) -> {
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException("broadcast.tables." + name, "is not a valid table name");
            }
            if (t == null) {
                throw new ConfigException("broadcast.tables." + name, "must be a mapping");
            }
            t.validate("broadcast.tables." + name);
        });
        namespaces.forEach((ns, names) -> {
            if (!NAME.matcher(ns).matches() || ns.contains(":")) {
                throw new ConfigException("broadcast.namespaces." + ns, "is not a valid namespace");
            }
            if (names == null || names.isEmpty()) {
                throw new ConfigException("broadcast.namespaces." + ns, "must list at least one event name");
            }
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i) == null || names.get(i).isBlank()) {
                    throw new ConfigException("broadcast.namespaces." + ns + "[" + i + "]", "must be an event name");
                }
            }
        });
    }

    public static BroadcastConfig defaults() {
        return new BroadcastConfig(null, null, null, null, null, null, null, null);
    }

    void validateAgainst(Set<String> datasourceNames) {
        if (wsTicket != null && !datasourceNames.contains(wsTicket.check().datasource())) {
            throw new ConfigException("broadcast.wsTicket.check.datasource",
                    "'" + wsTicket.check().datasource() + "' is not declared under datasources");
        }
    }

    public BroadcastConfig withTables(Map<String, TableConfig> t) {
        return new BroadcastConfig(ticketTtlSeconds, singleUseTickets, wsTicket, t, namespaces, maxScopes, maxUsedTickets, history);
    }

    public BroadcastConfig withNamespaces(Map<String, List<String>> n) {
        return new BroadcastConfig(ticketTtlSeconds, singleUseTickets, wsTicket, tables, n, maxScopes, maxUsedTickets, history);
    }

    public BroadcastConfig withWsTicket(WsTicket w) {
        return new BroadcastConfig(ticketTtlSeconds, singleUseTickets, w, tables, namespaces, maxScopes, maxUsedTickets, history);
    }

    public BroadcastConfig withTicketTtlSeconds(long s) {
        return new BroadcastConfig(s, singleUseTickets, wsTicket, tables, namespaces, maxScopes, maxUsedTickets, history);
    }

    public BroadcastConfig withSingleUseTickets(boolean b) {
        return new BroadcastConfig(ticketTtlSeconds, b, wsTicket, tables, namespaces, maxScopes, maxUsedTickets, history);
    }

    /**
     * Resource-scoped tickets: a body carrying {@code requestField} runs {@code check} and, when it
     * finds a row, yields a ticket scoped to {@code scopeTable:<value>} with roles {@code [role]}.
     */
    /** Returns a copy with {@code h} as the per-scope history. */
    public BroadcastConfig withHistory(History h) {
        return new BroadcastConfig(ticketTtlSeconds, singleUseTickets, wsTicket, tables, namespaces, maxScopes, maxUsedTickets, h);
    }

    /**
     * What each scope keeps for resuming sockets ({@code &since=}): its last {@code size} events (0 turns
     * resume history off; positions are still given) for {@code ttlSeconds} after the latest.
     */
    public record History(
            @Doc("Events kept per scope for resuming; 0: no resume history (positions are still given).") Integer size,
            @Doc("How long they are kept after the scope's latest event, in seconds (1..86400).") Long ttlSeconds) {
        public static final int DEFAULT_SIZE = 1000;
        public static final long DEFAULT_TTL_SECONDS = 300;
        public static final int MAX_SIZE = 100_000;

        public History {
            size = size == null ? DEFAULT_SIZE : size;
            ttlSeconds = ttlSeconds == null ? DEFAULT_TTL_SECONDS : ttlSeconds;
            if (size < 0 || size > MAX_SIZE) {
                throw new ConfigException("broadcast.history.size", "must be 0.." + MAX_SIZE);
            }
            if (ttlSeconds < 1 || ttlSeconds > 86_400) {
                throw new ConfigException("broadcast.history.ttlSeconds", "must be 1..86400");
            }
        }

        public static History defaults() {
            return new History(null, null);
        }
    }

    public record WsTicket(
            @Doc(value = "Role the ticket carries, bound as :role in the check.", required = true, example = "attendee") String role,
            @Doc(value = "JSON field of the ticket request holding the resource id, bound as :id.", required = true,
                    example = "eventId")
            String requestField,
            @Doc(value = "Scope kind of the ticket: its socket joins <scopeTable>:<id>.", required = true, example = "events")
            String scopeTable,
            @Doc(value = "SQL check that must find a row before the ticket is issued.", required = true) Check check) {
        public WsTicket {
            if (role == null || role.isBlank()) {
                throw new ConfigException("broadcast.wsTicket.role", "is required");
            }
            if (requestField == null || !NAME.matcher(requestField).matches()) {
                throw new ConfigException("broadcast.wsTicket.requestField", "is required (a JSON field name)");
            }
            if (scopeTable == null || !NAME.matcher(scopeTable).matches() || scopeTable.contains(":")) {
                throw new ConfigException("broadcast.wsTicket.scopeTable", "is required (letters, digits, _ . -)");
            }
            if (check == null) {
                throw new ConfigException("broadcast.wsTicket.check", "is required");
            }
        }
    }

    /** A parameterised SQL check; {@code :id}, {@code :userId}, {@code :role}, {@code :organizationId} are bound. */
    public record Check(
            @Doc(value = "Datasource, declared under datasources, the check runs on.", required = true, example = "app")
            String datasource,
            @Doc(value = "Query that finds a row when the ticket is allowed; :id, :userId, :role and :organizationId are bound.",
                    required = true,
                    example = "\"SELECT 1 FROM event_roles WHERE event_id = :id AND user_id = :userId AND role = :role\"")
            String sql) {
        public Check {
            if (datasource == null || datasource.isBlank()) {
                throw new ConfigException("broadcast.wsTicket.check.datasource", "is required");
            }
            if (sql == null || sql.isBlank()) {
                throw new ConfigException("broadcast.wsTicket.check.sql", "is required");
            }
            var m = NAMED_PARAM.matcher(sql);
            while (m.find()) {
                if (!CHECK_PARAMS.contains(m.group(1))) {
                    throw new ConfigException("broadcast.wsTicket.check.sql",
                            "unknown parameter :" + m.group(1) + " (allowed: " + CHECK_PARAMS + ")");
                }
            }
        }

        /** The SQL with {@code ?} in place of named parameters, and the names in order. */
        public Map.Entry<String, List<String>> positional() {
            var m = NAMED_PARAM.matcher(sql);
            var names = new java.util.ArrayList<String>();
            var out = new StringBuilder();
            while (m.find()) {
                names.add(m.group(1));
                m.appendReplacement(out, "?");
            }
            m.appendTail(out);
            return Map.entry(out.toString(), List.copyOf(names));
        }
    }

    /** Per-table rules for postgres_changes events. */
    public record TableConfig(
            @Doc("Whether INSERT events are delivered (else accepted and skipped).") Boolean onInsert,
            @Doc("Whether UPDATE events are delivered (else accepted and skipped).") Boolean onUpdate,
            @Doc("Whether DELETE events are delivered (else accepted and skipped).") Boolean onDelete,
            @Doc(value = "Roles that receive the table's events; empty: every member of the scope.", example = "[recruiter, owner]")
            List<String> requiredRoles,
            @Doc(value = "Fields delivered; absent: every field.", example = "[id, stage, email]") List<String> fields,
            @Doc(value = "Masked fields: the masking function and the roles that see the real value.", key = "field")
            Map<String, Mask> masking,
            @Doc("Value of schema in the delivered message.") String schema) {

        public TableConfig {
            onInsert = onInsert == null || onInsert;
            onUpdate = onUpdate == null || onUpdate;
            onDelete = onDelete == null || onDelete;
            requiredRoles = requiredRoles == null ? List.of() : List.copyOf(requiredRoles);
            fields = fields == null ? null : List.copyOf(fields);
            masking = masking == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(masking));
            schema = schema == null || schema.isBlank() ? "public" : schema;
        }

        public static TableConfig allDefaults() {
            return new TableConfig(null, null, null, null, null, null, null);
        }

        void validate(String path) {
            if (masking.size() > 63) {
                throw new ConfigException(path + ".masking", "at most 63 masked fields per table");
            }
            masking.forEach((field, mask) -> {
                if (mask == null || mask.type() == null) {
                    throw new ConfigException(path + ".masking." + field + ".type",
                            "is required (one of " + java.util.Arrays.toString(MaskType.values()) + ")");
                }
            });
        }
    }

    /** How one field is masked, and which roles see it unmasked. */
    public record Mask(
            @Doc(value = "Masking function.", required = true, example = "email") MaskType type,
            @Doc("Who sees the real value.") Show show) {
        public Mask {
            show = show == null ? new Show(null) : show;
        }
    }

    /** The roles that see a masked field's real value. */
    public record Show(
            @Doc(value = "Roles that see the real value; empty: masked for everyone.", example = "[owner]") List<String> roles) {
        public Show {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }
}
