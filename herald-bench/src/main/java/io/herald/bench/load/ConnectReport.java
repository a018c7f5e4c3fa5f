package io.herald.bench.load;

/** The outcome of opening a batch of sockets: how many opened, how many failed (and why, first one), how long it took. */
record ConnectReport(int connected, int failed, String firstError, long elapsedNanos) {
    ConnectReport plus(ConnectReport o) {
        return new ConnectReport(connected + o.connected, failed + o.failed,
                firstError != null ? firstError : o.firstError, Math.max(elapsedNanos, o.elapsedNanos));
    }

    double perSecond() {
        return elapsedNanos == 0 ? 0 : connected * 1e9 / elapsedNanos;
    }
}
