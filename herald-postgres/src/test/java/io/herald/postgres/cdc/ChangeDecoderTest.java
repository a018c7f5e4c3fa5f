package io.herald.postgres.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.broadcast.ChangeEvent;
import io.herald.config.CdcConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The replay decoder on hand-made pgoutput v1 messages: rows of a configured table become their events
 * numbered within the transaction, rows of other tables and unroutable rows are skipped with the slot
 * reader's reasons, and everything that is not a row yields nothing.
 */
class ChangeDecoderTest {
    private final ChangeDecoder decoder = new ChangeDecoder(Map.of("public.apps", new CdcConfig.Source("org", null, null)));

    @Test
    void rowsOfConfiguredTablesBecomeEventsNumberedInTheirTransaction() throws IOException {
        assertThat(decoder.next(relation(1, "apps"))).isNull();
        assertThat(decoder.next(relation(2, "other"))).isNull();
        assertThat(decoder.next(begin(0x1234))).isNull();

        ChangeDecoder.Change first = decoder.next(insert(1, "7", "org_a"));
        assertThat(first.event().eventType()).isEqualTo(ChangeEvent.Type.INSERT);
        assertThat(first.event().target().scopeKey()).isEqualTo("org:org_a");
        assertThat(first.event().newRow().toString()).isEqualTo("{\"id\":7,\"org\":\"org_a\"}");
        assertThat(first.commitLsn()).isEqualTo(0x1234);
        assertThat(first.index()).isZero();

        ChangeDecoder.Change other = decoder.next(insert(2, "8", "org_a"));
        assertThat(other.event()).isNull();
        assertThat(other.skipped()).isEqualTo("unconfigured_table");
        ChangeDecoder.Change orphan = decoder.next(insert(1, "9", null));
        assertThat(orphan.event()).isNull();
        assertThat(orphan.skipped()).isEqualTo("null_scope");

        assertThat(decoder.next(insert(1, "10", "org_b")).index()).as("skipped rows take no number").isEqualTo(1);
        assertThat(decoder.next(commit())).isNull();
        assertThat(decoder.next(begin(0x2000))).isNull();
        assertThat(decoder.next(insert(1, "11", "org_b")).index()).isZero();
    }

    @Test
    void aRowOfARelationNeverDescribedIsRefused() throws IOException {
        assertThatThrownBy(() -> decoder.next(insert(5, "1", "org_a"))).isInstanceOf(IllegalStateException.class);
    }

    private static ByteBuffer relation(int id, String table) throws IOException {
        return message(out -> {
            out.writeByte('R');
            out.writeInt(id);
            cstring(out, "public");
            cstring(out, table);
            out.writeByte('d');
            out.writeShort(2);
            out.writeByte(1);
            cstring(out, "id");
            out.writeInt(PgValues.INT4);
            out.writeInt(-1);
            out.writeByte(0);
            cstring(out, "org");
            out.writeInt(25);
            out.writeInt(-1);
        });
    }

    private static ByteBuffer begin(long finalLsn) throws IOException {
        return message(out -> {
            out.writeByte('B');
            out.writeLong(finalLsn);
            out.writeLong(0);
            out.writeInt(1);
        });
    }

    private static ByteBuffer commit() throws IOException {
        return message(out -> {
            out.writeByte('C');
            out.writeByte(0);
            out.writeLong(0);
            out.writeLong(0);
            out.writeLong(0);
        });
    }

    private static ByteBuffer insert(int relation, String id, String org) throws IOException {
        return message(out -> {
            out.writeByte('I');
            out.writeInt(relation);
            out.writeByte('N');
            out.writeShort(2);
            for (String v : new String[] {id, org}) {
                if (v == null) {
                    out.writeByte('n');
                } else {
                    byte[] b = v.getBytes(StandardCharsets.UTF_8);
                    out.writeByte('t');
                    out.writeInt(b.length);
                    out.write(b);
                }
            }
        });
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static ByteBuffer message(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        body.write(new DataOutputStream(bytes));
        return ByteBuffer.wrap(bytes.toByteArray());
    }

    private static void cstring(DataOutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.writeByte(0);
    }
}
