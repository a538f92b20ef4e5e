package dev.autoimport.job;

import org.apache.flink.configuration.ConfigOption;

/** A setting is missing or wrong; the message is one line that names it and what is accepted. */
public class SettingsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public SettingsException(String message) {
        super(message);
    }

    public static SettingsException of(ConfigOption<?> option, String problem) {
        return new SettingsException("setting " + option.key() + ": " + problem);
    }
}
