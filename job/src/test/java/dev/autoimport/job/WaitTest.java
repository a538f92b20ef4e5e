package dev.autoimport.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WaitTest {

    private static final Duration SHORT = Duration.ofMillis(100);
    private static final Duration POLL = Duration.ofMillis(10);

    @Test
    void returnsTheFirstValueThatIsDone() {
        AtomicInteger calls = new AtomicInteger();
        int value =
                Wait.until(
                        "three calls",
                        Duration.ofMinutes(1),
                        POLL,
                        calls::incrementAndGet,
                        n -> n >= 3);
        assertThat(value).isEqualTo(3);
    }

    @Test
    void aFailureNamesWhatWasAwaitedAndTheLastValueSeen() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(
                        () ->
                                Wait.until(
                                        "the counter to reach a million",
                                        SHORT,
                                        POLL,
                                        () -> "counter at " + calls.incrementAndGet(),
                                        s -> false))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("gave up after ")
                .hasMessageContaining("waiting for the counter to reach a million")
                .hasMessageContaining("last seen: counter at " + calls.get());
    }

    @Test
    void aProbeThatKeepsFailingIsReportedWithItsError() {
        IOException refused = new IOException("Connection refused");
        assertThatThrownBy(
                        () ->
                                Wait.until(
                                        "the REST API",
                                        SHORT,
                                        POLL,
                                        () -> {
                                            throw refused;
                                        },
                                        s -> true))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("waiting for the REST API; last seen: no value yet")
                .hasMessageContaining("the last probe failed: java.io.IOException: Connection")
                .hasCause(refused);
    }
}
