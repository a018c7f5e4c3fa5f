/**
 * Authentication shared by every primitive: sessions (JWTs by header, cookie or query, signed with a shared
 * secret or by an identity provider whose JWKS {@link io.herald.auth.JwksCache} holds; API keys),
 * the server credential, and short-lived HMAC WebSocket tickets. Entry type: {@link io.herald.auth.SessionAuthenticator}.
 */
package io.herald.auth;
