/**
 * HTTPS and WSS on the edge's port: {@link io.herald.server.tls.ServerTls} configures each HTTP server
 * with the certificate and swaps it when its files change; {@link io.herald.server.tls.ServedCertificate}
 * reads and checks one certificate and key.
 */
package io.herald.server.tls;
