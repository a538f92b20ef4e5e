package dev.autoimport.connector.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.storage.blob.models.BlobStorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class TransientFaultsTest {

    @Test
    void throttlingServerErrorsAndTimeoutsAreTransient() {
        for (int status : new int[] {408, 429, 500, 502, 503, 504}) {
            assertThat(TransientFaults.isTransient(storageError(status, "ServerBusy")))
                    .as("HTTP %d", status)
                    .isTrue();
        }
    }

    @Test
    void clientErrorsAreNot() {
        for (int status : new int[] {400, 401, 403, 404, 409, 412, 501}) {
            assertThat(TransientFaults.isTransient(storageError(status, "Whatever")))
                    .as("HTTP %d", status)
                    .isFalse();
        }
        assertThat(TransientFaults.isTransient(new IllegalStateException("our bug"))).isFalse();
    }

    @Test
    void resetsAndTimeoutsAnywhereInTheCauseChainAreTransient() {
        assertThat(
                        TransientFaults.isTransient(
                                new RuntimeException(
                                        new UncheckedIOException(
                                                new SocketException("Connection reset")))))
                .isTrue();
        assertThat(TransientFaults.isTransient(new RuntimeException(new TimeoutException())))
                .isTrue();
        assertThat(TransientFaults.isTransient(new IllegalStateException(new IOException("x"))))
                .isTrue();
    }

    @Test
    void aStatusBeforeAnIoCauseDecides() {
        BlobStorageException forbidden = storageError(403, "AuthorizationFailure");
        assertThat(TransientFaults.isTransient(new RuntimeException(forbidden))).isFalse();
        assertThat(TransientFaults.describe(new RuntimeException(forbidden)))
                .isEqualTo("HTTP 403 AuthorizationFailure");
    }

    @Test
    void backOffDoublesAndIsCapped() {
        Duration first = Duration.ofMillis(500);
        Duration max = Duration.ofSeconds(8);
        assertThat(TransientFaults.backOff(2, first, max)).isEqualTo(Duration.ofMillis(500));
        assertThat(TransientFaults.backOff(3, first, max)).isEqualTo(Duration.ofSeconds(1));
        assertThat(TransientFaults.backOff(6, first, max)).isEqualTo(Duration.ofSeconds(8));
        assertThat(TransientFaults.backOff(60, first, max)).isEqualTo(max);
    }

    @Test
    void callRetriesTransientFailuresAndGivesUpAfterItsTries() {
        AtomicInteger tries = new AtomicInteger();
        String result =
                TransientFaults.call(
                        "test",
                        3,
                        Duration.ofMillis(1),
                        Duration.ofMillis(2),
                        () -> {
                            if (tries.incrementAndGet() < 3) {
                                throw storageError(503, "ServerBusy");
                            }
                            return "ok";
                        });
        assertThat(result).isEqualTo("ok");
        assertThat(tries).hasValue(3);

        tries.set(0);
        assertThatThrownBy(
                        () ->
                                TransientFaults.call(
                                        "test",
                                        3,
                                        Duration.ofMillis(1),
                                        Duration.ofMillis(2),
                                        () -> {
                                            tries.incrementAndGet();
                                            throw storageError(500, "InternalError");
                                        }))
                .isInstanceOf(BlobStorageException.class);
        assertThat(tries).hasValue(3);
    }

    @Test
    void callDoesNotRetryAPermanentFailure() {
        AtomicInteger tries = new AtomicInteger();
        assertThatThrownBy(
                        () ->
                                TransientFaults.call(
                                        "test",
                                        5,
                                        Duration.ofMillis(1),
                                        Duration.ofMillis(2),
                                        () -> {
                                            tries.incrementAndGet();
                                            throw storageError(403, "AuthorizationFailure");
                                        }))
                .isInstanceOf(BlobStorageException.class);
        assertThat(tries).hasValue(1);
    }

    private static BlobStorageException storageError(int status, String code) {
        HttpRequest request = new HttpRequest(HttpMethod.GET, "http://127.0.0.1/a/b");
        HttpHeaders headers =
                new HttpHeaders().set(HttpHeaderName.fromString("x-ms-error-code"), code);
        return new BlobStorageException(code, new FixedResponse(request, status, headers), null);
    }

    /** A bodiless response with a status, as the SDK hands it to its exceptions. */
    private static final class FixedResponse extends HttpResponse {
        private final int status;
        private final HttpHeaders headers;

        FixedResponse(HttpRequest request, int status, HttpHeaders headers) {
            super(request);
            this.status = status;
            this.headers = headers;
        }

        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        @Deprecated
        public String getHeaderValue(String name) {
            return headers.getValue(HttpHeaderName.fromString(name));
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public Flux<ByteBuffer> getBody() {
            return Flux.empty();
        }

        @Override
        public Mono<byte[]> getBodyAsByteArray() {
            return Mono.just(new byte[0]);
        }

        @Override
        public Mono<String> getBodyAsString() {
            return Mono.just("");
        }

        @Override
        public Mono<String> getBodyAsString(Charset charset) {
            return Mono.just("");
        }
    }
}
