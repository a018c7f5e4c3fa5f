/**
 * Herald's engine. {@link io.herald.Herald} is the entry type: one instance owns the hubs of every
 * primitive, the broker, the datasources and the metrics, so two can run side by side in one JVM.
 */
package io.herald;
