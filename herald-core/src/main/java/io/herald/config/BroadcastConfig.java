package io.herald.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The Broadcast primitive: ticket lifetime, resource tickets, table rules and event namespaces. */
public record BroadcastConfig(
        Long ticketTtlSeconds,
        Boolean singleUseTickets,
        WsTicket wsTicket,
        Map<String, TableConfig> tables,
        Map<String, List<String>> namespaces,
        Integer maxScopes,
        Integer maxUsedTickets,
        History history) {

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
    public record History(Integer size, Long ttlSeconds) {
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

    public record WsTicket(String role, String requestField, String scopeTable, Check check) {
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
    public record Check(String datasource, String sql) {
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
            Boolean onInsert,
            Boolean onUpdate,
            Boolean onDelete,
            List<String> requiredRoles,
            List<String> fields,
            Map<String, Mask> masking,
            String schema) {

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
    public record Mask(MaskType type, Show show) {
        public Mask {
            show = show == null ? new Show(null) : show;
        }
    }

    /** The roles that see a masked field's real value. */
    public record Show(List<String> roles) {
        public Show {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }
}
