package dev.autoimport.connector.lustre;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Runs tasks on a bounded pool while keeping the order of tasks that share a key: a task starts
 * only after the previous task with the same key has finished; tasks with different keys run in
 * parallel.
 *
 * <p>At most {@code maxInFlight} tasks are submitted and not finished, counting those that wait for
 * their predecessor. {@link #submit} blocks when the bound is reached, which is how the sink pushes
 * back on its input. Meant for one submitting thread (the task's mailbox thread).
 */
final class PathOrderedExecutor {

    private final int maxInFlight;
    private final Semaphore permits;
    private final ExecutorService threads;
    private final Map<String, CompletableFuture<Void>> lastTaskByKey = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    /** Sequence numbers of submitted, unfinished tasks. */
    private final ConcurrentSkipListSet<Long> unfinished = new ConcurrentSkipListSet<>();

    /** Marks not reached yet: {last sequence number before the mark, mark}. Guarded by this. */
    private final Deque<long[]> pendingMarks = new ArrayDeque<>();

    private final LongConsumer onMarkReached;
    private long submitted;

    PathOrderedExecutor(int maxInFlight, String threadNamePrefix) {
        this(maxInFlight, threadNamePrefix, mark -> {});
    }

    /**
     * @param onMarkReached called with a mark (see {@link #mark}) once every task submitted before
     *     it has finished; called from any thread, marks in order
     */
    PathOrderedExecutor(int maxInFlight, String threadNamePrefix, LongConsumer onMarkReached) {
        this.onMarkReached = onMarkReached;
        this.maxInFlight = maxInFlight;
        this.permits = new Semaphore(maxInFlight);
        this.threads = Executors.newFixedThreadPool(maxInFlight, daemonThreads(threadNamePrefix));
    }

    /**
     * Runs {@code task} after every task submitted earlier with the same key. The task must not
     * throw; if it does, its successors still run.
     */
    void submit(String key, Runnable task) throws InterruptedException {
        permits.acquire();
        inFlight.incrementAndGet();
        long sequence;
        synchronized (this) {
            sequence = ++submitted;
        }
        unfinished.add(sequence);
        CompletableFuture<Void> previous = lastTaskByKey.get(key);
        CompletableFuture<Void> done =
                previous == null
                        ? CompletableFuture.runAsync(task, threads)
                        : previous.handleAsync(
                                (ignored, previousError) -> {
                                    task.run();
                                    return null;
                                },
                                threads);
        lastTaskByKey.put(key, done);
        done.whenComplete(
                (ignored, error) -> {
                    try {
                        lastTaskByKey.remove(key, done);
                        unfinished.remove(sequence);
                        inFlight.decrementAndGet();
                        // Before the permit: whoever awaits idleness also sees the marks reached.
                        reportReachedMarks();
                    } finally {
                        // Never lost: a missing permit would block awaitIdle (the sink's flush,
                        // hence every checkpoint) for ever.
                        permits.release();
                    }
                });
    }

    /**
     * Records a mark (a watermark, for the sink) that is reached once every task submitted so far
     * has finished, however the tasks of different keys interleave.
     */
    void mark(long mark) {
        synchronized (this) {
            pendingMarks.addLast(new long[] {submitted, mark});
        }
        reportReachedMarks();
    }

    private void reportReachedMarks() {
        long reached;
        synchronized (this) {
            boolean any = false;
            reached = Long.MIN_VALUE;
            while (!pendingMarks.isEmpty()) {
                long[] next = pendingMarks.peekFirst();
                // Not isEmpty() then first(): another task may finish in between, and first()
                // of an empty set throws. ceiling() answers both at once.
                Long oldestUnfinished = unfinished.ceiling(Long.MIN_VALUE);
                if (oldestUnfinished != null && oldestUnfinished <= next[0]) {
                    break;
                }
                pendingMarks.pollFirst();
                reached = next[1];
                any = true;
            }
            if (!any) {
                return;
            }
        }
        onMarkReached.accept(reached);
    }

    /** Blocks until every submitted task has finished. */
    void awaitIdle() throws InterruptedException {
        permits.acquire(maxInFlight);
        permits.release(maxInFlight);
    }

    /** Submitted tasks not yet finished (for the gauge). */
    int inFlight() {
        return inFlight.get();
    }

    /**
     * Stops: interrupts running tasks and waits for them.
     *
     * @return whether all threads ended within the timeout
     */
    boolean shutdownNow(long timeout, TimeUnit unit) throws InterruptedException {
        threads.shutdownNow();
        return threads.awaitTermination(timeout, unit);
    }

    private static ThreadFactory daemonThreads(String namePrefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, namePrefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
