package io.herald.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameWriter}'s end-of-pass flush over many sockets goes in turns of
 * {@link FrameWriter#FLUSH_CHUNK}: a task queued meanwhile (a publish's response, the next fan-out)
 * runs between turns instead of after every socket's write, and every socket is still flushed once.
 */
class FlushRoundTest {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    private final EventLoop loop = group.next();
    private final FrameWriter writer = new FrameWriter(loop);
    /** Where the writer's writes go; the test reads the flush order from the targets, not from here. */
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = channel.pipeline().firstContext();

    @AfterEach
    void stop() {
        channel.releaseOutbound();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** A socket that logs the order of its flushes into a shared list. */
    private static final class Logged extends FrameWriter.Target {
        private final int index;
        private final List<Integer> log;
        private final Runnable onFlush;

        Logged(int index, List<Integer> log, Runnable onFlush) {
            this.index = index;
            this.log = log;
            this.onFlush = onFlush;
        }

        @Override
        protected void flushNow() {
            log.add(index);
            onFlush.run();
        }
    }

    @Test
    void aTaskQueuedDuringTheFlushRunsBetweenTurnsAndEverySocketIsFlushedOnce() throws Exception {
        int sockets = 4 * FrameWriter.FLUSH_CHUNK + 10;
        List<Integer> flushed = new ArrayList<>();
        CompletableFuture<Integer> probeSawFlushed = new CompletableFuture<>();
        CompletableFuture<Void> allFlushed = new CompletableFuture<>();
        List<Logged> targets = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            int index = i;
            targets.add(new Logged(i, flushed, () -> {
                if (index == 0) {
                    loop.execute(() -> probeSawFlushed.complete(flushed.size()));
                }
                if (flushed.size() == sockets) {
                    allFlushed.complete(null);
                }
            }));
        }

        loop.execute(() -> targets.forEach(t -> writer.write(t, ctx, Unpooled.EMPTY_BUFFER, ctx.voidPromise())));

        allFlushed.get(10, TimeUnit.SECONDS);
        assertThat(probeSawFlushed.get(10, TimeUnit.SECONDS))
                .as("sockets flushed when a task queued by the first flush ran")
                .isEqualTo(FrameWriter.FLUSH_CHUNK);
        assertThat(flushed).hasSize(sockets).doesNotHaveDuplicates();
        assertThat(flushed).as("flushed in the order they were written").isSorted();
    }

    @Test
    void aSocketWrittenAgainAfterItsTurnIsFlushedAgainInTheSameRound() throws Exception {
        int sockets = 2 * FrameWriter.FLUSH_CHUNK;
        List<Integer> flushed = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        List<Logged> targets = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            int index = i;
            targets.add(new Logged(i, flushed, () -> {
                if (index == 0 && flushed.size() == 1) {
                    // a fan-out between turns writes to socket 0 (already flushed) and to the last one (waiting)
                    loop.execute(() -> {
                        writer.write(targets.get(0), ctx, Unpooled.EMPTY_BUFFER, ctx.voidPromise());
                        writer.write(targets.get(sockets - 1), ctx, Unpooled.EMPTY_BUFFER, ctx.voidPromise());
                    });
                }
                if (flushed.size() == sockets + 1) {
                    done.complete(null);
                }
            }));
        }

        loop.execute(() -> targets.forEach(t -> writer.write(t, ctx, Unpooled.EMPTY_BUFFER, ctx.voidPromise())));

        done.get(10, TimeUnit.SECONDS);
        // give a wrong extra flush the time to show up
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        assertThat(flushed).as("socket 0 twice (written after its flush), the last one once (its second frame joined the first)")
                .hasSize(sockets + 1);
        assertThat(flushed.stream().filter(i -> i == 0).count()).isEqualTo(2);
        assertThat(flushed.stream().filter(i -> i == sockets - 1).count()).isEqualTo(1);
    }

    @Test
    void aSteadyStreamOfFanOutsBetweenTurnsKeepsOneEntryPerSocket() throws Exception {
        int sockets = FrameWriter.FLUSH_CHUNK + 44;
        int fanOuts = 20;
        List<Integer> flushed = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger(1);
        List<Logged> targets = new ArrayList<>();
        Runnable fanOut = () -> targets.forEach(t -> writer.write(t, ctx, Unpooled.EMPTY_BUFFER, ctx.voidPromise()));
        for (int i = 0; i < sockets; i++) {
            int index = i;
            targets.add(new Logged(i, flushed, () -> {
                // a fan-out lands between every two turns, re-listing the sockets already flushed
                if (index == 0 && sent.get() < fanOuts) {
                    sent.incrementAndGet();
                    loop.execute(fanOut);
                }
            }));
        }

        loop.execute(fanOut);

        org.awaitility.Awaitility.await("the writer went quiet").atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(5))
                .until(() -> sent.get() == fanOuts && loop.submit(writer::waiting).get(5, TimeUnit.SECONDS) == 0);
        assertThat(loop.submit(writer::capacity).get(5, TimeUnit.SECONDS))
                .as("room for one entry per socket, not one per flush").isLessThanOrEqualTo(2 * sockets);
        assertThat(loop.submit(() -> targets.stream().allMatch(t -> t.unflushedFrames == 0 && t.slot == -1)).get(5, TimeUnit.SECONDS))
                .as("every write flushed").isTrue();
        assertThat(loop.submit(() -> flushed.size()).get(5, TimeUnit.SECONDS))
                .as("each socket flushed at least once per fan-out that reached it after its last flush")
                .isGreaterThanOrEqualTo(sockets * 2);
    }
}
