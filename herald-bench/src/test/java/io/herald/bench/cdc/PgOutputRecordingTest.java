package io.herald.bench.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.broadcast.ChangeEvent;
import io.herald.config.CdcConfig;
import io.herald.postgres.cdc.ChangeDecoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed pgoutput recording replays into the row changes it was made of: 1 000 postgres_changes
 * events of bench_cdc (600 inserts, 300 updates, 100 deletes) for organization org_bench, keyed in
 * increasing order per transaction, with the value types the lag run's sockets read ({@code ts} a number).
 */
class PgOutputRecordingTest {

    @Test
    void theRecordingDecodesToItsThousandRowChanges() {
        List<ByteBuffer> messages = PgOutputRecording.load();
        ChangeDecoder decoder = new ChangeDecoder(Map.of("public.bench_cdc", new CdcConfig.Source("org_id", null, null)));
        List<ChangeDecoder.Change> changes = new ArrayList<>();
        for (ByteBuffer m : messages) {
            ChangeDecoder.Change c = decoder.next(m);
            if (c != null) {
                changes.add(c);
            }
        }
        assertThat(changes).hasSize(1000).allSatisfy(c -> {
            assertThat(c.event()).as("skipped: %s", c.skipped()).isNotNull();
            assertThat(c.event().target().scopeKey()).isEqualTo("org:org_bench");
        });
        Map<ChangeEvent.Type, Integer> byType = new EnumMap<>(ChangeEvent.Type.class);
        changes.forEach(c -> byType.merge(c.event().eventType(), 1, Integer::sum));
        assertThat(byType).containsEntry(ChangeEvent.Type.INSERT, 600).containsEntry(ChangeEvent.Type.UPDATE, 300)
                .containsEntry(ChangeEvent.Type.DELETE, 100);

        // every transaction numbers its changes 0..9 under one commit LSN, and the LSNs grow
        for (int t = 0; t < 100; t++) {
            for (int i = 0; i < 10; i++) {
                ChangeDecoder.Change c = changes.get(t * 10 + i);
                assertThat(c.index()).isEqualTo(i);
                assertThat(c.commitLsn()).isEqualTo(changes.get(t * 10).commitLsn());
            }
            if (t > 0) {
                assertThat(changes.get(t * 10).commitLsn()).isGreaterThan(changes.get(t * 10 - 1).commitLsn());
            }
        }

        JsonNode row = changes.get(0).event().newRow();
        assertThat(row.get("org_id").asText()).isEqualTo("org_bench");
        assertThat(row.get("id").isIntegralNumber()).isTrue();
        assertThat(row.get("ts").isIntegralNumber()).as("the lag run's sockets read ts as a number").isTrue();
        assertThat(row.get("score").isTextual()).as("numeric travels as a string").isTrue();
        assertThat(row.get("updated_at").asText()).endsWith("Z");
        assertThat(row.get("ssn").asText()).matches("123-45-\\d{4}");
        JsonNode deleted = changes.get(9).event().oldRow();
        assertThat(deleted.size()).as("a delete's old row is its key: organization and id").isEqualTo(2);
    }

    @Test
    void theFanoutBenchmarkDeliversEveryChangeToEverySubscriberInFiveVariants() {
        // the benchmark's own setup checks sends and encodings; running it here keeps it from rotting
        io.herald.bench.CdcPipelineBenchmark.Stream stream = new io.herald.bench.CdcPipelineBenchmark.Stream();
        stream.load();
        io.herald.bench.CdcPipelineBenchmark.Node node = new io.herald.bench.CdcPipelineBenchmark.Node();
        node.subscribers = 10;
        node.start(stream);
        node.stop();
    }
}
