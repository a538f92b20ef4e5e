package dev.autoimport.connector.lustre;

import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/** Creates the {@link LustreWriterOperator} with the task's mailbox. */
final class LustreWriterOperatorFactory extends AbstractStreamOperatorFactory<LustreAction>
        implements OneInputStreamOperatorFactory<LustreAction, LustreAction> {

    private static final long serialVersionUID = 1L;

    private final LustreSink sink;

    LustreWriterOperatorFactory(LustreSink sink) {
        this.sink = sink;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<LustreAction>> T createStreamOperator(
            StreamOperatorParameters<LustreAction> parameters) {
        return (T) new LustreWriterOperator(parameters, sink);
    }

    @Override
    public Class<? extends StreamOperator<?>> getStreamOperatorClass(ClassLoader classLoader) {
        return LustreWriterOperator.class;
    }
}
