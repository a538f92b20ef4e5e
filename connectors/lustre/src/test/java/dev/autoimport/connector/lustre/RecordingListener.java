package dev.autoimport.connector.lustre;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every outcome the sink reports. */
final class RecordingListener implements ActionListener {

    record Failure(LustreAction action, Throwable error, int attempts) {}

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
}
