/**
 * A client of Herald's server API over HTTP for backends that run Herald as a separate process:
 * {@link io.herald.client.HeraldClient} publishes broadcasts, channel events and lane envelopes and
 * reads node status, on the JDK's {@code java.net.http} and Jackson, without any of the server's code.
 */
package io.herald.client;
