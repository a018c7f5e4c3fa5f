/**
 * Authentication shared by every primitive: sessions (HS256 JWT by header, cookie or query; API keys),
 * the server credential, and short-lived HMAC WebSocket tickets. Entry type: {@link io.herald.auth.SessionAuthenticator}.
 */
package io.herald.auth;
