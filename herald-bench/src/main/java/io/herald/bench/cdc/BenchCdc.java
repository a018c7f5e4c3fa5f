package io.herald.bench.cdc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The change-capture benchmarks' table, {@code bench_cdc} ({@code cdc/bench-cdc.sql}), and the rows the
 * writers put in it: about 300 bytes of JSON each once decoded, with the five personal fields
 * {@code bench-cdc.yaml} masks per role and {@code ts}, the writer's send time in epoch microseconds.
 */
public final class BenchCdc {
    /** The table, in schema {@code public}. */
    public static final String TABLE = "bench_cdc";
    /** The SQL that creates the table if it is missing. */
    public static final String CREATE_SQL = resource("/cdc/bench-cdc.sql");
    private static final String COLUMNS = "(org_id, name, email, phone, ssn, notes, stage, score, ts)";
    private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final int PARAMS = 9;

    private BenchCdc() {
    }

    /** The organization of row {@code n} of a run over {@code orgs} organizations named after {@code base}. */
    public static String org(String base, int orgs, long n) {
        return orgs <= 1 ? base : base + "_" + Math.floorMod(n, orgs);
    }

    /** One INSERT statement of {@code rows} rows (one transaction when run in autocommit). */
    public static String insertSql(int rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(TABLE).append(' ').append(COLUMNS).append(" VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ", ").append(ROW);
        }
        return sql.toString();
    }

    /** Binds row {@code slot} of an {@link #insertSql} statement: row number {@code n} of organization {@code org}, stamped {@code ts}. */
    public static void bindRow(PreparedStatement insert, int slot, String org, long n, long ts) throws SQLException {
        int p = slot * PARAMS;
        int four = (int) Math.floorMod(n, 10_000);
        insert.setString(p + 1, org);
        insert.setString(p + 2, "Jane Doe " + n);
        insert.setString(p + 3, "jane.doe." + n + "@example.com");
        insert.setString(p + 4, String.format(Locale.ROOT, "+1 415-555-%04d", four));
        insert.setString(p + 5, String.format(Locale.ROOT, "123-45-%04d", four));
        insert.setString(p + 6, "Strong on systems design; follow up on references.");
        insert.setString(p + 7, "applied");
        insert.setBigDecimal(p + 8, BigDecimal.valueOf(50 + Math.floorMod(n, 500), 1));
        insert.setLong(p + 9, ts);
    }

    private static String resource(String name) {
        try (InputStream in = BenchCdc.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
