package io.herald.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The JVM and process meters of {@code /metrics}, beside Herald's own: memory, GC pauses, threads, classes, CPU,
 * open files, uptime and start time, plus {@code herald_build_info{version}}. The process CPU time is exported as
 * {@code process_cpu_seconds_total} (the Prometheus convention) instead of Micrometer's
 * {@code process_cpu_time_ns_total}. {@link #close} removes the GC notification listener. Thread-safe.
 */
final class RuntimeMeters implements AutoCloseable {
    private final JvmGcMetrics gc = new JvmGcMetrics();

    private RuntimeMeters() {
    }

    /** Binds every meter to {@code registry}, which must have no meters yet (the CPU filter applies to later ones). */
    static RuntimeMeters bind(MeterRegistry registry) {
        // in nanoseconds: replaced by the seconds counter below
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        RuntimeMeters meters = new RuntimeMeters();
        new JvmMemoryMetrics().bindTo(registry);
        meters.gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot && hotspot.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", hotspot, b -> b.getProcessCpuTime() / 1e9).baseUnit("seconds")
                    .description("CPU time used by the process").register(registry);
        }
        Gauge.builder("herald.build.info", () -> 1).tag("version", io.herald.HeraldVersion.get())
                .description("Always 1: the running Herald version, as a label").strongReference(true).register(registry);
        return meters;
    }

    @Override
    public void close() {
        gc.close();
    }
}
