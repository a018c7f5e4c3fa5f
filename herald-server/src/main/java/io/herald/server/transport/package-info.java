/**
 * Herald's one transport: every connection from accept to close. {@link io.herald.server.transport.RouteTable} declares
 * every endpoint once, HTTP routes and WebSocket endpoints alike, and builds the router from it.
 * {@link io.herald.server.transport.AcceptGuard}
 * and {@link io.herald.server.transport.ConnectionGuard} admit and time plain HTTP connections,
 * {@link io.herald.server.transport.DirectUpgrades} takes every WebSocket upgrade below Vert.x into a
 * {@link io.herald.server.transport.DirectWebSocket}, {@link io.herald.server.transport.WebSocketTransport} and
 * {@link io.herald.server.transport.SseTransport} write each socket's frames through its loop's
 * {@link io.herald.server.transport.FrameWriter}, {@link io.herald.server.transport.Sockets} keeps the open
 * sockets and their cap, and a {@link io.herald.server.transport.LivenessSweep} per loop and kind pings idle
 * WebSockets and sends idle SSE streams their keepalives.
 */
package io.herald.server.transport;
