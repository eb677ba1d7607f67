package dev.strata.web.render;

import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Hands items to a consumer on a thread of its own, in order, in batches: the producer (a sweep computing its points)
 * and the consumer (a writer formatting them) then run on two cores at once. At most {@link #BATCHES_IN_FLIGHT}
 * batches wait, so memory stays bounded whatever the number of items. A failure of the consumer (a closed output) is
 * thrown to the producer at its next batch or at {@link #close()}; the consumer drops what is still queued.
 *
 * @param <T> the items
 */
public final class BackgroundSink<T> implements Consumer<T>, AutoCloseable {
    /** Batches queued for the consumer at most. */
    public static final int BATCHES_IN_FLIGHT = 4;

    private static final Object[] END = new Object[0];

    private final BlockingQueue<Object[]> queue = new ArrayBlockingQueue<>(BATCHES_IN_FLIGHT);
    /** Batches the consumer is done with, emptied, for the producer to fill again (a long run makes no new ones). */
    private final BlockingQueue<Object[]> free = new ArrayBlockingQueue<>(BATCHES_IN_FLIGHT + 2);

    private final int batchSize;
    private final Thread thread;
    private volatile RuntimeException failure;
    private Object[] batch;
    private int size;
    private boolean closed;

    /** A sink that passes items to {@code downstream} on a new thread named {@code name}, {@code batchSize} at a time. */
    public BackgroundSink(Consumer<? super T> downstream, int batchSize, String name) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, not " + batchSize);
        this.batchSize = batchSize;
        this.batch = new Object[batchSize];
        this.thread = new Thread(() -> drain(downstream), name);
        thread.setDaemon(true);
        thread.start();
    }

    @SuppressWarnings("unchecked")
    private void drain(Consumer<? super T> downstream) {
        try {
            while (true) {
                Object[] b = queue.take();
                if (b == END) return;
                if (failure != null) continue; // keep taking, so that the producer never waits on a full queue
                try {
                    for (Object o : b) downstream.accept((T) o);
                    if (b.length == batchSize) {
                        Arrays.fill(b, null);
                        free.offer(b);
                    }
                } catch (RuntimeException e) {
                    failure = e;
                } catch (Error e) {
                    failure = new IllegalStateException("the consumer failed: " + e, e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void accept(T item) {
        if (closed) throw new IllegalStateException("closed");
        batch[size++] = item;
        if (size == batchSize) {
            handOff(batch);
            Object[] next = free.poll();
            batch = next != null ? next : new Object[batchSize];
            size = 0;
        }
    }

    private void handOff(Object[] b) {
        RuntimeException f = failure;
        if (f != null) throw f;
        try {
            queue.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing items to " + thread.getName(), e);
        }
    }

    /** Hands over what is left, waits until the consumer has taken every item, and throws its failure if it had one. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (size > 0 && failure == null) handOff(Arrays.copyOf(batch, size));
        } finally {
            try {
                queue.put(END);
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + thread.getName(), e);
            }
        }
        RuntimeException f = failure;
        if (f != null) throw f;
    }
}
