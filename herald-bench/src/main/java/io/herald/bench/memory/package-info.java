/** Memory probes: heap cost of idle engine objects, measured in-process. */
package io.herald.bench.memory;
