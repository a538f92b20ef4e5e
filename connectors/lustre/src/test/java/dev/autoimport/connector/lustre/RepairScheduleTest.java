package dev.autoimport.connector.lustre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RepairScheduleTest {

    @Test
    void theDefaultsDoubleFromThirtySecondsToTenMinutesTenTimes() {
        RepairSchedule s = RepairSchedule.defaults();
        assertThat(s.delayBeforeRepair(1)).hasValue(30_000);
        assertThat(s.delayBeforeRepair(2)).hasValue(60_000);
        assertThat(s.delayBeforeRepair(5)).hasValue(480_000);
        assertThat(s.delayBeforeRepair(6)).as("capped").hasValue(600_000);
        assertThat(s.delayBeforeRepair(10)).hasValue(600_000);
        assertThat(s.delayBeforeRepair(11)).as("used up").isEqualTo(OptionalLong.empty());
        assertThat(s.longestWait()).isEqualTo(Duration.ofMinutes(65).plusSeconds(30));
        assertThat(s.inPlaceBackOffMillis()).containsExactly(500, 1_000, 2_000);
    }

    @Test
    void withoutRepairsTheInPlaceTriesLastAboutAMinute() {
        RepairSchedule s = RepairSchedule.inPlaceOnly();
        assertThat(s.repairs()).isFalse();
        assertThat(s.delayBeforeRepair(1)).isEmpty();
        long total = 0;
        for (long wait : s.inPlaceBackOffMillis()) {
            total += wait;
        }
        assertThat(total).isEqualTo(61_000);
    }

    @Test
    void boundsAreCheckedWithTheirNames() {
        assertThatThrownBy(() -> RepairSchedule.repairing(Duration.ZERO, Duration.ofMinutes(1), 3))
                .hasMessageContaining("first repair delay must be positive");
        assertThatThrownBy(
                        () ->
                                RepairSchedule.repairing(
                                        Duration.ofMinutes(2), Duration.ofMinutes(1), 3))
                .hasMessageContaining("must not be shorter than the first");
        assertThatThrownBy(
                        () ->
                                RepairSchedule.repairing(
                                        Duration.ofSeconds(1), Duration.ofMinutes(1), 0))
                .hasMessageContaining("at least 1");
    }
}
