/**
 * Change capture from PostgreSQL's logical replication: {@link io.herald.postgres.cdc.PgOutput} reads
 * the built-in {@code pgoutput} plugin's messages and {@link io.herald.postgres.cdc.PgValues} turns
 * column values into the JSON of {@code postgres_changes} events. The consumer that reads a slot and
 * publishes the events is not built yet.
 */
package io.herald.postgres.cdc;
