/**
 * Durable per-room key/value storage: the {@link io.herald.storage.Storage} port and its embedded
 * SQLite adapter. Values survive restarts and a kill -9 once a write has returned.
 */
package io.herald.storage;
