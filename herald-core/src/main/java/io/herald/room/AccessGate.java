package io.herald.room;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.auth.Principal;
import io.herald.config.ConfigException;
import io.herald.config.RoomsConfig;
import io.herald.datasource.Datasources;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A party's access rule, checked before the upgrade with the statuses a REST GET of the row would
 * get: 401 anonymous, 403 not allowed (a missing, invisible or soft-deleted row is 403 too, so room
 * ids do not reveal which rows exist), 400 a room id that fits no pattern or kind. Table and column
 * names come only from configuration and are checked against the database's metadata at start-up.
 * Thread-safe.
 */
public final class AccessGate {
    private final RoomsConfig.Access access;
    private final Datasources datasources;
    private final Pattern pattern;
    private final Map<RoomsConfig.Resource, String> sql = new HashMap<>();

    public AccessGate(String path, RoomsConfig.Access access, Datasources datasources) {
        this.access = access;
        this.datasources = datasources;
        this.pattern = access.roomId() == null ? null : Pattern.compile(access.roomId().pattern());
        List<RoomsConfig.Resource> resources = new ArrayList<>(access.resources().values());
        if (access.resource() != null) {
            resources.add(access.resource());
        }
        for (RoomsConfig.Resource r : resources) {
            validate(path, r);
            sql.put(r, query(r));
        }
    }

    /** Whether the rule needs no credentials. */
    public boolean isPublic() {
        return access.isPublic();
    }

    /**
     * Checks {@code principal} (null when anonymous) for {@code roomId}.
     *
     * @param activeOrg resolves {@code ctx.activeOrgId} only when the rule needs it (it may throw 400/403)
     * @return a future failed with {@link HeraldException} when refused
     */
    public CompletableFuture<Void> check(Principal principal, String roomId, Supplier<String> activeOrg) {
        if (access.isPublic()) {
            return CompletableFuture.completedFuture(null);
        }
        if (principal == null) {
            return CompletableFuture.failedFuture(new HeraldException(ErrorCode.UNAUTHENTICATED));
        }
        try {
            if (access.roomIdEquals() != null) {
                String want = access.roomIdEquals().equals("ctx.userId") ? principal.userId() : activeOrg.get();
                if (!roomId.equals(want)) {
                    throw new HeraldException(ErrorCode.FORBIDDEN, "This room is not yours.");
                }
                return CompletableFuture.completedFuture(null);
            }
            if (access.resource() != null) {
                return row(access.resource(), roomId, principal, activeOrg);
            }
            if (pattern != null) {
                Matcher m = pattern.matcher(roomId);
                if (!m.matches()) {
                    throw new HeraldException(ErrorCode.BAD_REQUEST, "The room id does not name a resource.");
                }
                RoomsConfig.Resource r = access.resources().get(m.group(access.roomId().kindGroup()));
                if (r == null) {
                    throw new HeraldException(ErrorCode.BAD_REQUEST, "Unknown resource kind.");
                }
                return row(r, m.group(access.roomId().idGroup()), principal, activeOrg);
            }
            return CompletableFuture.completedFuture(null);
        } catch (HeraldException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Void> row(RoomsConfig.Resource r, String id, Principal p, Supplier<String> activeOrg) {
        List<String> values = new ArrayList<>();
        values.add(id);
        r.firewall().forEach((col, placeholder) -> values.add(placeholder.equals("ctx.userId") ? p.userId() : activeOrg.get()));
        String q = sql.get(r);
        return datasources.query(r.datasource(), c -> {
            try (PreparedStatement ps = c.prepareStatement(q)) {
                for (int i = 0; i < values.size(); i++) {
                    ps.setString(i + 1, values.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }).thenAccept(found -> {
            if (!found) {
                throw new HeraldException(ErrorCode.FORBIDDEN, "No access to this room.");
            }
        });
    }

    private static String query(RoomsConfig.Resource r) {
        StringBuilder q = new StringBuilder("SELECT 1 FROM ").append(quote(r.table())).append(" WHERE ").append(quote(r.key())).append(" = ?");
        r.firewall().keySet().forEach(col -> q.append(" AND ").append(quote(col)).append(" = ?"));
        if (r.softDelete() != null) {
            q.append(" AND ").append(quote(r.softDelete())).append(" IS NULL");
        }
        return q.append(" LIMIT 1").toString();
    }

    /** Identifiers were validated as plain names; quoting keeps reserved words working. */
    private static String quote(String identifier) {
        return '"' + identifier + '"';
    }

    private void validate(String path, RoomsConfig.Resource r) {
        if (!datasources.has(r.datasource())) {
            throw new ConfigException(path, "datasource '" + r.datasource() + "' is not declared");
        }
        Set<String> columns;
        try {
            columns = datasources.inline(r.datasource(), c -> columns(c.getMetaData(), r.table()));
        } catch (SQLException e) {
            throw new ConfigException(path, "cannot read the metadata of table " + r.table() + ": " + e.getMessage());
        }
        if (columns.isEmpty()) {
            throw new ConfigException(path + ".table", "table '" + r.table() + "' does not exist in datasource " + r.datasource());
        }
        List<String> needed = new ArrayList<>(r.firewall().keySet());
        needed.add(r.key());
        if (r.softDelete() != null) {
            needed.add(r.softDelete());
        }
        for (String col : needed) {
            if (!columns.contains(col.toLowerCase(Locale.ROOT))) {
                throw new ConfigException(path, "column '" + col + "' does not exist in table " + r.table());
            }
        }
    }

    private static Set<String> columns(DatabaseMetaData md, String table) throws SQLException {
        Set<String> cols = new TreeSet<>();
        for (String t : new String[] {table, table.toLowerCase(Locale.ROOT), table.toUpperCase(Locale.ROOT)}) {
            try (ResultSet rs = md.getColumns(null, null, t, null)) {
                while (rs.next()) {
                    cols.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                }
            }
            if (!cols.isEmpty()) {
                break;
            }
        }
        return cols;
    }
}
