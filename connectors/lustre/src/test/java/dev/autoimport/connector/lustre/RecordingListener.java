package dev.autoimport.connector.lustre;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.metrics.MetricGroup;

/** Records every outcome the sink reports. */
final class RecordingListener implements ActionListener {

    record Failure(LustreAction action, Throwable error, int attempts) {}

    /** Listeners of MiniCluster jobs, found again by the test through an ID. */
    private static final Map<String, RecordingListener> SHARED = new ConcurrentHashMap<>();

    final List<LustreAction> successes = new CopyOnWriteArrayList<>();
    final List<Failure> failures = new CopyOnWriteArrayList<>();

    @Override
    public void onSuccess(LustreAction action) {
        successes.add(action);
    }

    @Override
    public void onFailure(LustreAction action, Throwable error, int attempts) {
        failures.add(new Failure(action, error, attempts));
    }

    Failure onlyFailure() {
        if (failures.size() != 1) {
            throw new AssertionError("expected one failure, got " + failures);
        }
        return failures.get(0);
    }

    /** A factory that hands out this very listener (no serialization involved). */
    Factory factory() {
        return (MetricGroup metricGroup, int subtaskIndex) -> this;
    }

    /** A serializable factory whose listeners all record into {@link #shared(String)}. */
    static Factory sharedFactory(String id) {
        return new SharedFactory(id);
    }

    static RecordingListener shared(String id) {
        return SHARED.computeIfAbsent(id, ignored -> new RecordingListener());
    }

    private static final class SharedFactory implements Factory {
        private static final long serialVersionUID = 1L;
        private final String id;

        SharedFactory(String id) {
            this.id = id;
        }

        @Override
        public ActionListener create(MetricGroup metricGroup, int subtaskIndex) {
            return shared(id);
        }
    }
}
