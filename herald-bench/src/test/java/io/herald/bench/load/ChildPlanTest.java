package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A child process of a split run opens its share of the run's sockets with the paths the whole run gives them: it parses
 * the command line {@link ChildReceivers} hands it, as the child's {@code main} does, and plans its sockets from that.
 */
class ChildPlanTest {
    private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void aChildPutsItsShareOfRoomSocketsInTheRoomsOfTheWholeRun() {
        // 3 000 sockets in 30 rooms of 100, the first 30 the parent's senders: the second child's 1 485 sockets from 1 515 on
        String[] args = {"--primitive", "rooms", "-n", "3000", "--room-size", "100", "--processes", "2", "--run-id", "plan"};
        Scenario parent = LoadTool.parse(NOWHERE, concat("connect", args));
        Scenario child = LoadTool.parse(NOWHERE, childArgs(ChildReceivers.command("connect", args, 1515, 1485)));

        List<String> planned = child.plan().paths(1515, 1485);
        assertThat(planned).isEqualTo(parent.plan().paths(1515, 1485));
        // socket 1 529 shares room 29 with sender 29 (1 529 mod 30), which a share counted alone (15 rooms) would not give it
        assertThat(planned.get(14)).contains("conn-plan-29?_pk=bench-1529");
    }

    /** What the child's main gets: the command line after the main class. */
    private static String[] childArgs(List<String> command) {
        int main = command.indexOf(io.herald.bench.Main.class.getName());
        return command.subList(main + 1, command.size()).toArray(String[]::new);
    }

    private static String[] concat(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
