package io.herald.server.room;

import io.herald.room.ConnectRequest;
import io.herald.room.Refusal;
import java.util.Optional;

/** An {@link EchoRoom} whose static gate wants {@code ?pass=yes} (402 otherwise) and refuses room {@code teapot} with 418. */
public class GatedRoom extends EchoRoom {
    public static Optional<Refusal> onBeforeConnect(ConnectRequest request) {
        if (request.room().equals("teapot")) {
            return Optional.of(new Refusal(418, "This room is a teapot."));
        }
        if (!"yes".equals(request.query().get("pass"))) {
            return Optional.of(new Refusal(402, "A pass is required."));
        }
        return Optional.empty();
    }
}
