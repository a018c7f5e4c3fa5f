package io.herald.auth;

import java.util.Optional;

/** A read-only view of the parts of a request that can carry credentials; the edge adapts its request type. */
public interface Credentials {
    /** A request header by case-insensitive name. */
    Optional<String> header(String name);

    /** A query parameter (decoded). */
    Optional<String> query(String name);

    /** A cookie's value. */
    Optional<String> cookie(String name);
}
