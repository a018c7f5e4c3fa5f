/**
 * The change-capture benchmarks' shared pieces: the bench table and its rows ({@link io.herald.bench.cdc.BenchCdc})
 * and the recorded pgoutput stream that {@code CdcPipelineBenchmark} replays ({@link io.herald.bench.cdc.PgOutputRecording}).
 */
package io.herald.bench.cdc;
