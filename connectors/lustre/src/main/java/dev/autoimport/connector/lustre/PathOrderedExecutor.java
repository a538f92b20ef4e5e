package dev.autoimport.connector.lustre;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Runs tasks on a bounded pool of I/O threads while keeping the order of tasks that share a key: a
 * task starts only after the previous task with the same key has finished; tasks with different
 * keys run in parallel.
 *
 * <p>It never blocks its caller: the caller (the task's mailbox thread) submits only while {@link
 * #isFull} is false and otherwise yields to its mailbox, where every task's completion arrives.
 * Each task hands its completion to the {@code onDone} it was submitted with only after its slot is
 * free again, so a caller that yields on a completion always finds room; and a mark is reported
 * only after the completions of every task before it were handed on, so a consumer that runs both
 * in arrival order (a mailbox) sees a mark after the outcomes it covers.
 */
final class PathOrderedExecutor {

    private final int maxInFlight;
    private final ExecutorService threads;
    private final Map<String, CompletableFuture<Void>> lastTaskByKey = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    /** Sequence numbers of submitted tasks whose completion was not handed on yet. */
    private final ConcurrentSkipListSet<Long> unfinished = new ConcurrentSkipListSet<>();

    /** Marks not reached yet: {last sequence number before the mark, mark}. Guarded by this. */
    private final Deque<long[]> pendingMarks = new ArrayDeque<>();

    private final LongConsumer onMarkReached;
    private long submitted;

    /**
     * @param onMarkReached called with a mark (see {@link #mark}) once every task submitted before
     *     it has finished; called from any thread, marks in order
     */
    PathOrderedExecutor(int maxInFlight, String threadNamePrefix, LongConsumer onMarkReached) {
        this.onMarkReached = onMarkReached;
        this.maxInFlight = maxInFlight;
        this.threads = Executors.newFixedThreadPool(maxInFlight, daemonThreads(threadNamePrefix));
    }

    /** Whether {@code maxInFlight} tasks are submitted and not finished. */
    boolean isFull() {
        return inFlight.get() >= maxInFlight;
    }

    /**
     * Runs {@code task} after every task submitted earlier with the same key, then {@code onDone}
     * on the same I/O thread. Neither may throw; if one does, the key's successors still run.
     */
    void submit(String key, Runnable task, Runnable onDone) {
        inFlight.incrementAndGet();
        long sequence;
        synchronized (this) {
            sequence = ++submitted;
        }
        unfinished.add(sequence);
        CompletableFuture<Void> previous = lastTaskByKey.get(key);
        CompletableFuture<Void> ran =
                previous == null
                        ? CompletableFuture.runAsync(task, threads)
                        : previous.handleAsync(
                                (ignored, previousError) -> {
                                    task.run();
                                    return null;
                                },
                                threads);
        // The key's next task waits for this whole stage, completion handed on included, so the
        // completions of one key are handed on in submission order.
        CompletableFuture<Void> finished =
                ran.handle(
                        (ignored, error) -> {
                            inFlight.decrementAndGet();
                            try {
                                onDone.run();
                            } finally {
                                // After onDone: a mark never overtakes the completions it covers.
                                unfinished.remove(sequence);
                                reportReachedMarks();
                            }
                            return null;
                        });
        lastTaskByKey.put(key, finished);
        finished.whenComplete((ignored, error) -> lastTaskByKey.remove(key, finished));
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
            // Inside the lock: two threads reporting at once must not swap their marks.
            onMarkReached.accept(reached);
        }
    }

    /** Submitted tasks not yet finished (for the gauge and the flush). */
    int inFlight() {
        return inFlight.get();
    }

    /** Submitted tasks whose completion was not handed on yet. */
    boolean hasUnfinished() {
        return !unfinished.isEmpty();
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
