/**
 * The application's JDBC databases (SQLite, PostgreSQL) used by access checks: pooled connections
 * and a bounded worker pool per datasource, so no query ever runs on an event loop.
 * Entry type: {@link io.herald.datasource.Datasources}.
 */
package io.herald.datasource;
