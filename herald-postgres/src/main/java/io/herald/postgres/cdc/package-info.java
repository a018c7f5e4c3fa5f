/**
 * Change capture from PostgreSQL's logical replication: {@link io.herald.postgres.cdc.PgOutput} reads
 * the built-in {@code pgoutput} plugin's messages, {@link io.herald.postgres.cdc.PgValues} turns
 * column values into the JSON of {@code postgres_changes} events, {@link io.herald.postgres.cdc.PostgresCdc}
 * reads a slot and publishes the events, and {@link io.herald.postgres.cdc.ChangeDecoder} maps a recorded
 * stream the same way without a database.
 */
package io.herald.postgres.cdc;
