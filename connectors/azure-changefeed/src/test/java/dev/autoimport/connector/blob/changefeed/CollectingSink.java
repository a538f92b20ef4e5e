package dev.autoimport.connector.blob.changefeed;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink for MiniCluster tests that keeps every record and every watermark it receives in memory,
 * under a name, including records a restarted job delivers again.
 */
final class CollectingSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    private static final Map<String, List<Object>> RECORDS = new ConcurrentHashMap<>();
    private static final Map<String, List<Long>> WATERMARKS = new ConcurrentHashMap<>();

    private final String name;

    private CollectingSink(String name) {
        this.name = name;
    }

    /** A sink under a fresh name: whatever an earlier test collected under it is dropped. */
    static <T> CollectingSink<T> named(String name) {
        RECORDS.put(name, new CopyOnWriteArrayList<>());
        WATERMARKS.put(name, new CopyOnWriteArrayList<>());
        return new CollectingSink<>(name);
    }

    @SuppressWarnings("unchecked")
    List<T> records() {
        return new ArrayList<>((List<T>) (List<?>) RECORDS.get(name));
    }

    List<Long> watermarks() {
        return new ArrayList<>(WATERMARKS.get(name));
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> records = RECORDS.get(name);
        List<Long> watermarks = WATERMARKS.get(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) {
                records.add(element);
            }

            @Override
            public void writeWatermark(Watermark watermark) {
                watermarks.add(watermark.getTimestamp());
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
