/**
 * Herald's benchmarks. {@link io.herald.bench.Main} dispatches the shaded jar: JMH micro-benchmarks of
 * the hot paths (one {@code <Subject>Benchmark} per path, run with {@code -prof gc}), the end-to-end
 * load tool ({@link io.herald.bench.load}) and the raw Netty ceiling ({@link io.herald.bench.ceiling}).
 * Never run by {@code verify}, except the load tool's smoke test.
 */
package io.herald.bench;
