package io.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions that an operation was refused with a given {@link ErrorCode}. */
public final class Refusals {
    private Refusals() {
    }

    /** Asserts that {@code call} throws a {@link HeraldException} with {@code code} and returns it. */
    public static HeraldException assertRefused(ErrorCode code, ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).as("expected a HeraldException with %s", code).isInstanceOf(HeraldException.class);
        HeraldException e = (HeraldException) t;
        assertThat(e.code()).as("error code (message: %s)", e.getMessage()).isEqualTo(code);
        return e;
    }

    /** Asserts that {@code future} fails with a {@link HeraldException} with {@code code} and returns it. */
    public static HeraldException assertFailsWith(ErrorCode code, CompletableFuture<?> future) {
        Throwable t = catchThrowable(() -> future.get(10, TimeUnit.SECONDS));
        assertThat(t).isInstanceOf(ExecutionException.class);
        return assertRefused(code, () -> {
            throw t.getCause();
        });
    }
}
