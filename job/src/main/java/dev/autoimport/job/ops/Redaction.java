package dev.autoimport.job.ops;

import java.util.regex.Pattern;

/**
 * Removes credentials from text before it is printed, logged or written to the logging container:
 * account keys and shared access signatures as connection strings, SAS tokens and URLs carry them.
 * A second line of defence: the job's own messages never include a secret to begin with.
 */
public final class Redaction {

    private static final Pattern ACCOUNT_KEY =
            Pattern.compile("(?i)(AccountKey\\s*=\\s*)[^;\\s\"']+");
    private static final Pattern SAS_IN_CONNECTION_STRING =
            Pattern.compile("(?i)(SharedAccessSignature\\s*=\\s*)[^;\\s\"']+");
    private static final Pattern SIGNATURE = Pattern.compile("(?i)([?&]?sig=)[^&\\s\"';]+");

    private Redaction() {}

    /** The text with every account key and SAS signature replaced by "REDACTED". */
    public static String scrub(String text) {
        if (text == null) {
            return null;
        }
        String s = ACCOUNT_KEY.matcher(text).replaceAll("$1REDACTED");
        s = SAS_IN_CONNECTION_STRING.matcher(s).replaceAll("$1REDACTED");
        return SIGNATURE.matcher(s).replaceAll("$1REDACTED");
    }
}
