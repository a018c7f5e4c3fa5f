package io.herald.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection tags in the engine: given by getConnectionTags at connect (id first, repeats dropped),
 * found with getConnections(tag) by a room instance built after hibernation, and limited as in
 * PartyServer (10 tags with the id, 1..256 characters), a breach failing the join.
 */
class RoomTagsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TestHost rooms;

    @AfterEach
    void close() {
        if (rooms != null) {
            rooms.close();
        }
    }

    /**
     * Tags each connection with what its id names after the first dash ({@code a-red,blue} gets
     * {@code red} and {@code blue}); {@code who:<tag>} answers the ids carrying the tag.
     */
    static final class TaggedRoom extends Room {
        @Override
        protected List<String> getConnectionTags(RoomConnection connection, ConnectionContext context) {
            String id = connection.id();
            return id.contains("-") ? Arrays.asList(id.substring(id.indexOf('-') + 1).split(",", -1)) : List.of();
        }

        @Override
        protected void onMessage(RoomConnection connection, RoomMessage message) {
            String tag = ((RoomMessage.Text) message).text().substring(4);
            connection.send(getConnections(tag).stream().map(RoomConnection::id).collect(Collectors.joining(" ")));
        }
    }

    private TestHost tagged(long hibernateAfterMs) {
        return new TestHost(dir, TestHost.config(hibernateAfterMs), TestHost.binding("TAGGED", TaggedRoom::new));
    }

    private static String ask(TestHost.Member m, String tag) {
        int before = m.transport().texts().size();
        m.send("who:" + tag);
        await().atMost(WAIT).until(() -> m.transport().texts().size() > before);
        return m.transport().texts().get(before);
    }

    @Test
    void tagsGivenAtConnectFindConnectionsAfterTheRoomHibernated() {
        rooms = tagged(200);
        TestHost.Member a = rooms.join("tagged", "r", "a-red,blue");
        TestHost.Member b = rooms.join("tagged", "r", "b-red");
        TestHost.Member c = rooms.join("tagged", "r", "c");
        assertThat(a.session().connection().tags()).containsExactly("a-red,blue", "red", "blue");
        assertThat(c.session().connection().tags()).containsExactly("c");

        long starts = rooms.host.starts();
        await().atMost(WAIT).until(() -> rooms.host.hibernations() >= 1 && rooms.host.loadedRooms() == 0);
        assertThat(ask(c, "red")).isEqualTo("a-red,blue b-red");
        assertThat(rooms.host.starts()).as("answered by a new instance").isEqualTo(starts + 1);
        assertThat(ask(c, "blue")).isEqualTo("a-red,blue");
        assertThat(ask(a, "c")).as("the id is a tag").isEqualTo("c");
        assertThat(ask(a, "green")).isEmpty();

        b.leave();
        assertThat(ask(c, "red")).as("closed connections are not listed").isEqualTo("a-red,blue");
    }

    @Test
    void theIdComesFirstAndRepeatsAreDropped() {
        rooms = tagged(60_000);
        TestHost.Member a = rooms.join("tagged", "r", "a-a-x,x,y");
        assertThat(a.session().connection().tags()).containsExactly("a-a-x,x,y", "a-x", "x", "y");
    }

    @Test
    void moreThanTenTagsAnEmptyOneOrOneOver256CharactersFailTheJoin() throws Exception {
        rooms = tagged(60_000);
        String nine = "a-1,2,3,4,5,6,7,8,9";
        assertThat(rooms.join("tagged", "r", nine).session().connection().tags()).hasSize(10);
        for (String id : List.of("b-1,2,3,4,5,6,7,8,9,10", "c-x,", "d-" + "t".repeat(257))) {
            assertThatThrownBy(() -> rooms.joining("tagged", "r", id, rooms.transport()).get(5, TimeUnit.SECONDS))
                    .as(id).isInstanceOf(ExecutionException.class).hasMessageContaining("session setup");
        }
        assertThat(rooms.join("tagged", "r", "e-" + "t".repeat(256)).session().connection().tags()).hasSize(2);
    }
}
