package dev.autoimport.connector.lustre;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/** A metric group that keeps the gauges registered on it, so that tests can read them. */
final class GaugeRecordingMetricGroup extends UnregisteredMetricsGroup {

    private final Map<String, Gauge<?>> gauges = new ConcurrentHashMap<>();

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        gauges.put(name, gauge);
        return gauge;
    }

    Object read(String name) {
        Gauge<?> gauge = gauges.get(name);
        if (gauge == null) {
            throw new AssertionError("no gauge named " + name + " in " + gauges.keySet());
        }
        return gauge.getValue();
    }
}
