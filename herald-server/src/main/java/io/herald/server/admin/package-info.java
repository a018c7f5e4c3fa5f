/**
 * The operator's admin page at {@code /admin/} and its API under {@code /admin/v1/} (server credential):
 * a live view of this node and the cluster's nodes, pushed once a second over SSE, and a few actions.
 * Entry type: {@link io.herald.server.admin.Admin}, one per server, made only when {@code admin.enabled}.
 */
package io.herald.server.admin;
