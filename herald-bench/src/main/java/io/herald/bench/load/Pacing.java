package io.herald.bench.load;

import java.time.Duration;

/** How a run publishes: messages per second (0 = as fast as allowed), warm-up, and measured window. */
record Pacing(double rate, Duration warmup, Duration duration) {
    static Pacing of(LoadOptions o) {
        return new Pacing(o.rate, o.warmup, o.duration);
    }
}
