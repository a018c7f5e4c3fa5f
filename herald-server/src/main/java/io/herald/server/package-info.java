/**
 * The Vert.x edge of Herald: {@link io.herald.server.HeraldServer} starts the HTTP/WebSocket server
 * in front of a {@link io.herald.Herald} engine; {@link io.herald.server.Main} is the CLI.
 */
package io.herald.server;
