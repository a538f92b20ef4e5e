package dev.autoimport.connector.blob.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.testutils.MetricListener;
import org.junit.jupiter.api.Test;

class ChangeFeedSourceMetricsTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private final MetricListener listener = new MetricListener();
    private final ChangeFeedSourceMetrics metrics =
            new ChangeFeedSourceMetrics(
                    listener.getMetricGroup(), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void beforeAnythingIsReadBothGaugesAreZero() {
        assertThat(gauge(ChangeFeedSourceMetrics.LAST_EVENT_CONSUMED_TIME).getValue()).isZero();
        assertThat(gauge(ChangeFeedSourceMetrics.LAG_MILLIS).getValue()).isZero();
    }

    @Test
    void whileEventsComeTheLagIsNowMinusTheLastEventTime() {
        metrics.eventRead(NOW.minusSeconds(90).toEpochMilli());

        assertThat(gauge(ChangeFeedSourceMetrics.LAST_EVENT_CONSUMED_TIME).getValue())
                .isEqualTo(NOW.minusSeconds(90).toEpochMilli());
        assertThat(gauge(ChangeFeedSourceMetrics.LAG_MILLIS).getValue()).isEqualTo(90_000L);
    }

    @Test
    void onceCaughtUpTheLagIsZeroAndTheLastEventTimeStays() {
        metrics.eventRead(NOW.minusSeconds(90).toEpochMilli());
        metrics.caughtUp();

        assertThat(gauge(ChangeFeedSourceMetrics.LAG_MILLIS).getValue()).isZero();
        assertThat(gauge(ChangeFeedSourceMetrics.LAST_EVENT_CONSUMED_TIME).getValue())
                .isEqualTo(NOW.minusSeconds(90).toEpochMilli());
    }

    @Test
    void everyInPlaceRetryOfAReadIsCounted() {
        assertThat(gauge(ChangeFeedSourceMetrics.READ_RETRIES).getValue()).isZero();

        metrics.readRetried();
        metrics.readRetried();

        assertThat(gauge(ChangeFeedSourceMetrics.READ_RETRIES).getValue()).isEqualTo(2L);
    }

    private Gauge<Long> gauge(String name) {
        return listener.<Long>getGauge(ChangeFeedSourceMetrics.GROUP, name).orElseThrow();
    }
}
