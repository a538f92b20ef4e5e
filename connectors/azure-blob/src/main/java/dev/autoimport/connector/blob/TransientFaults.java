package dev.autoimport.connector.blob;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a transient failure of the blob service (worth trying again) from a permanent one, and
 * retries an operation with bounded exponential back-off where the SDK's own retry policy (see
 * {@link BlobStorageConfig#serviceClient()}) does not reach: a response body read after the headers
 * arrived, or a call that failed after the SDK's tries were used up.
 *
 * <p>Transient: HTTP 408, 429, 500, 502, 503 and 504 (throttling {@code ServerBusy}, {@code
 * OperationTimedOut}, ...), and any I/O failure or time-out anywhere in the cause chain (connection
 * refused or reset, before the headers or mid-body, a premature close, a read time-out). Everything
 * else is permanent: 400, 403 (the credential), 404 (gone), 409, 412, and failures of our own code.
 */
public final class TransientFaults {

    private static final Logger LOG = LoggerFactory.getLogger(TransientFaults.class);

    private static final HttpHeaderName ERROR_CODE = HttpHeaderName.fromString("x-ms-error-code");

    /** Tries of {@link #call} (the first included). */
    public static final int TRIES = 5;

    /** The wait before the second try of {@link #call}; it doubles from try to try. */
    public static final Duration FIRST_DELAY = Duration.ofMillis(500);

    /** The longest wait between two tries of {@link #call}. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(8);

    private TransientFaults() {}

    /** Whether trying the same request again may succeed. */
    public static boolean isTransient(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof HttpResponseException) {
                HttpResponseException http = (HttpResponseException) t;
                if (http.getResponse() != null) {
                    return isTransientStatus(http.getResponse().getStatusCode());
                }
            }
            if (t instanceof IOException
                    || t instanceof UncheckedIOException
                    || t instanceof TimeoutException
                    || t.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Whether an HTTP status means "try again later". */
    public static boolean isTransientStatus(int status) {
        return status == 408
                || status == 429
                || status == 500
                || status == 502
                || status == 503
                || status == 504;
    }

    /** The wait before try {@code nextTry} (2 for the first retry), doubling, capped. */
    public static Duration backOff(int nextTry, Duration first, Duration max) {
        int doublings = Math.min(Math.max(nextTry - 2, 0), 30);
        long millis = first.toMillis() << doublings;
        return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }

    /**
     * Runs {@code operation}, trying again after a transient failure up to {@link #TRIES} tries in
     * all, waiting {@link #FIRST_DELAY} doubling to {@link #MAX_DELAY} in between; each retry is
     * logged at WARN. A permanent failure, or the last transient one, is thrown as it was.
     *
     * @param what what is being done, for the log ("reading the walk report ...")
     */
    public static <T> T call(String what, Supplier<T> operation) {
        return call(what, TRIES, FIRST_DELAY, MAX_DELAY, operation);
    }

    /** {@link #call(String, Supplier)} with other bounds. */
    public static <T> T call(
            String what, int tries, Duration firstDelay, Duration maxDelay, Supplier<T> operation) {
        for (int attempt = 1; ; attempt++) {
            try {
                return operation.get();
            } catch (RuntimeException e) {
                if (attempt >= tries || !isTransient(e)) {
                    throw e;
                }
                Duration wait = backOff(attempt + 1, firstDelay, maxDelay);
                LOG.warn(
                        "{} failed (try {} of {}), trying again in {} ms: {}",
                        what,
                        attempt,
                        tries,
                        wait.toMillis(),
                        describe(e));
                sleep(wait);
            }
        }
    }

    /** {@link #call(String, Supplier)} for an operation without a result. */
    public static void run(String what, Runnable operation) {
        call(
                what,
                () -> {
                    operation.run();
                    return null;
                });
    }

    /** A short description of a failure: its HTTP status and error code, or its innermost cause. */
    public static String describe(Throwable failure) {
        Throwable root = failure;
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof HttpResponseException
                    && ((HttpResponseException) t).getResponse() != null) {
                HttpResponseException http = (HttpResponseException) t;
                String code = http.getResponse().getHeaderValue(ERROR_CODE);
                return "HTTP "
                        + http.getResponse().getStatusCode()
                        + (code == null ? "" : " " + code);
            }
            root = t;
            if (t.getCause() == t) {
                break;
            }
        }
        String message = root.getMessage();
        String text = root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to try again", e);
        }
    }
}
