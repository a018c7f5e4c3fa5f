/**
 * HTTP plumbing shared by every primitive's handlers: credentials from a request, JSON bodies,
 * JSON error responses, health, readiness and metrics.
 */
package io.herald.server.http;
