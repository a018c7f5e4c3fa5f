/**
 * What an operator may see of a running engine: who published what recently ({@link io.herald.inspect.PublishTail},
 * the entry type) and on whose behalf ({@link io.herald.inspect.Publisher}). The hubs feed it; herald-server's
 * admin page reads it.
 */
package io.herald.inspect;
