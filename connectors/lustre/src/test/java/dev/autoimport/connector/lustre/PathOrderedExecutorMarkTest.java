package dev.autoimport.connector.lustre;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Marks (the sink's watermarks) are reached only when every earlier task has finished. */
class PathOrderedExecutorMarkTest {

    @Test
    void aMarkWaitsForEveryEarlierTaskWhateverTheKey() throws Exception {
        List<Long> reached = new CopyOnWriteArrayList<>();
        PathOrderedExecutor executor = new PathOrderedExecutor(8, "mark-test-", reached::add);
        CountDownLatch releaseSlow = new CountDownLatch(1);
        CountDownLatch allDone = new CountDownLatch(3);

        executor.submit("slow", () -> await(releaseSlow, allDone), () -> {});
        executor.submit("fast-1", allDone::countDown, () -> {});
        executor.mark(100);
        executor.submit("fast-2", allDone::countDown, () -> {});
        executor.mark(200);

        while (executor.inFlight() > 1) {
            Thread.sleep(5);
        }
        assertThat(reached).as("the slow task before mark 100 is still running").isEmpty();

        releaseSlow.countDown();
        assertThat(allDone.await(10, TimeUnit.SECONDS)).isTrue();
        awaitIdle(executor);
        for (int i = 0; i < 1000 && reached.isEmpty(); i++) {
            Thread.sleep(5); // reported just after the last task leaves the unfinished set
        }
        assertThat(reached).containsExactly(200L);
        executor.shutdownNow(5, TimeUnit.SECONDS);
    }

    @Test
    void aMarkWithNothingInFlightIsReachedAtOnce() throws Exception {
        List<Long> reached = new CopyOnWriteArrayList<>();
        PathOrderedExecutor executor = new PathOrderedExecutor(2, "mark-test-", reached::add);
        executor.mark(7);
        executor.mark(9);
        assertThat(reached).containsExactly(7L, 9L);
        executor.shutdownNow(5, TimeUnit.SECONDS);
    }

    /**
     * Two tasks finishing at the same moment while a mark is pending, many times over: the executor
     * must still become idle each time (a permit lost in that race once blocked the sink's flush,
     * and so every checkpoint, for ever) and reach every mark.
     */
    @Test
    void becomesIdleWhenTasksFinishAtOnceWithAMarkPending() throws Exception {
        List<Long> reached = new CopyOnWriteArrayList<>();
        PathOrderedExecutor executor = new PathOrderedExecutor(4, "mark-test-", reached::add);
        ExecutorService waiter = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 5_000; round++) {
                CyclicBarrier together = new CyclicBarrier(2);
                executor.submit("a", () -> awaitQuietly(together), () -> {});
                executor.submit("b", () -> awaitQuietly(together), () -> {});
                executor.mark(round);
                long finalRound = round;
                Future<?> idle =
                        waiter.submit(
                                () -> {
                                    awaitIdle(executor);
                                    while (reached.isEmpty()
                                            || reached.get(reached.size() - 1) != finalRound) {
                                        Thread.sleep(1);
                                    }
                                    return null;
                                });
                idle.get(10, TimeUnit.SECONDS);
                assertThat(reached).last().isEqualTo((long) round);
            }
        } finally {
            waiter.shutdownNow();
            executor.shutdownNow(5, TimeUnit.SECONDS);
        }
    }

    private static void awaitIdle(PathOrderedExecutor executor) throws InterruptedException {
        while (executor.hasUnfinished()) {
            Thread.sleep(1);
        }
    }

    private static void awaitQuietly(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch, CountDownLatch done) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        done.countDown();
    }
}
