package dev.autoimport.job;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Polls until a condition holds. The deadline is a liveness bound, not a speed check: on a loaded
 * 2-core machine a step may take many times its usual time. When it passes, the failure names what
 * was awaited and the last value seen (or the last error of the probe), because "condition not
 * fulfilled" alone does not tell a slow cluster from a broken one.
 */
final class Wait {

    /** Generous: a whole step (a restart, a walk) under heavy load stays well below it. */
    static final Duration PATIENCE = Duration.ofMinutes(5);

    private Wait() {}

    /** {@link #until(String, Duration, Duration, Callable, Predicate)} with the usual bounds. */
    static <T> T until(String what, Callable<T> probe, Predicate<? super T> done) {
        return until(what, PATIENCE, Duration.ofMillis(250), probe, done);
    }

    /**
     * Calls {@code probe} every {@code poll} until {@code done} accepts its value, and returns that
     * value. A probe that throws counts as not done (a REST API may answer 404 for a moment while a
     * job restarts); its error is reported if it was the last thing seen.
     *
     * @param what what is awaited, for the failure message ("the job to restore from a checkpoint")
     * @throws AssertionError when {@code limit} passes: names {@code what}, the last value and the
     *     last error
     */
    static <T> T until(
            String what,
            Duration limit,
            Duration poll,
            Callable<T> probe,
            Predicate<? super T> done) {
        long start = System.nanoTime();
        T last = null;
        boolean seen = false;
        Exception lastError = null;
        while (true) {
            try {
                last = probe.call();
                seen = true;
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            } catch (Exception e) {
                lastError = e;
            }
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            if (waited.compareTo(limit) >= 0) {
                String message =
                        String.format(
                                "gave up after %d s waiting for %s; last seen: %s",
                                waited.toSeconds(), what, seen ? last : "no value yet");
                if (lastError != null) {
                    message += "; the last probe failed: " + lastError;
                }
                AssertionError failure = new AssertionError(message);
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
