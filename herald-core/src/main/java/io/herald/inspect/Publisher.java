package io.herald.inspect;

/**
 * Who published an event, as the admin page names it: the kind of credential it came with and, where the
 * credential has one, its name. Never the credential itself. Immutable.
 *
 * @param kind {@code server-token}, {@code api-key}, {@code session}, {@code in-process} or {@code change-capture}
 * @param name the API key's name, the session's user id, {@code admin page} for the page's own actions; null when none
 */
public record Publisher(String kind, String name) {
    /** A call of the Java API in the same process (an embedding application). */
    public static final Publisher IN_PROCESS = new Publisher("in-process", null);
    /** The server API with the server credential ({@code ACCESS_TOKEN}). */
    public static final Publisher SERVER_TOKEN = new Publisher("server-token", null);
    /** The admin page's test publish, which also holds the server credential. */
    public static final Publisher ADMIN_PAGE = new Publisher("server-token", "admin page");
    /** PostgreSQL change capture. */
    public static final Publisher CHANGE_CAPTURE = new Publisher("change-capture", null);

    public Publisher {
        if (kind == null || kind.isEmpty()) {
            throw new IllegalArgumentException("kind is required");
        }
    }

    /** A user session authenticated with the API key named {@code name} (its user id when the key has no name). */
    public static Publisher apiKey(String name) {
        return new Publisher("api-key", name);
    }

    /** A user session (JWT or cookie) of {@code userId}. */
    public static Publisher session(String userId) {
        return new Publisher("session", userId);
    }

    @Override
    public String toString() {
        return name == null ? kind : kind + " (" + name + ")";
    }
}
