/**
 * Herald on PostgreSQL: {@link io.herald.postgres.PostgresStorage}, the {@code io.herald.storage.Storage}
 * that every node of a cluster shares (rooms, durable channels, Yjs documents), over HikariCP and pgjdbc,
 * in the tables {@link io.herald.postgres.PostgresSchema} creates on first start.
 */
package io.herald.postgres;
