package dev.autoimport.connector.lustre;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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

    PathOrderedExecutor(int maxInFlight, String threadNamePrefix) {
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
                    lastTaskByKey.remove(key, done);
                    inFlight.decrementAndGet();
                    permits.release();
                });
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
