package dev.autoimport.connector.blob.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerAsyncClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.DownloadRetryOptions;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.autoimport.connector.blob.testing.BlobServiceProxy.Fault;
import dev.autoimport.connector.blob.testing.BlobServiceProxy.RequestKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

/** The proxy between the real Azure SDK and a real Azurite: delay, counts, faults, idle closes. */
class BlobServiceProxyTest {

    @RegisterExtension static final AzuriteExtension AZURITE = new AzuriteExtension();

    private static final String CONTAINER = "proxied";
    private static final byte[] BIG = new byte[256 * 1024];

    private BlobServiceProxy proxy;
    private BlobContainerClient container;

    @BeforeAll
    static void seed() {
        Arrays.fill(BIG, (byte) 7);
        BlobContainerClient direct = AZURITE.createContainer(CONTAINER);
        for (int i = 0; i < 3; i++) {
            direct.getBlobClient("d/b" + i).upload(BinaryData.fromString("blob " + i), true);
        }
        direct.getBlobClient("big").upload(BinaryData.fromBytes(BIG), true);
        AZURITE.createContainer("$blobchangefeed")
                .getBlobClient("meta/segments.json")
                .upload(BinaryData.fromString("{}"), true);
    }

    @BeforeEach
    void startProxy() throws InterruptedException {
        proxy = BlobServiceProxy.start(AZURITE.port(), 42);
        container = client(proxy).getBlobContainerClient(CONTAINER);
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    /** A client through the proxy that never retries: every fault reaches the caller. */
    private static BlobServiceClient client(BlobServiceProxy proxy) {
        return new BlobServiceClientBuilder()
                .connectionString(proxy.connectionString())
                .retryOptions(
                        new RequestRetryOptions(RetryPolicyType.FIXED, 1, 60, null, null, null))
                .buildClient();
    }

    @Test
    void addsTheDelayToEveryResponse() {
        container.getBlobClient("d/b0").getProperties(); // connection and JIT warm
        double without = medianMillis(() -> container.getBlobClient("d/b0").getProperties());
        proxy.setDelay(Duration.ofMillis(150));
        double with = medianMillis(() -> container.getBlobClient("d/b0").getProperties());
        double download = medianMillis(() -> container.getBlobClient("d/b1").downloadContent());
        proxy.setDelay(Duration.ZERO);
        double after = medianMillis(() -> container.getBlobClient("d/b0").getProperties());

        // Medians of 7: a busy machine adds some, a delay applied twice would add 150 more.
        assertThat(with - without).isBetween(145.0, 290.0);
        assertThat(download).isBetween(145.0, 400.0);
        assertThat(after).isLessThan(with - 100);
    }

    @Test
    void countsRequestsByKind() {
        container.listBlobs().forEach(b -> {});
        for (int i = 0; i < 3; i++) {
            container.getBlobClient("d/b" + i).downloadContent();
            container.getBlobClient("d/b" + i).getProperties();
        }
        container.getBlobClient("new").upload(BinaryData.fromString("x"), true);
        client(proxy)
                .getBlobContainerClient("$blobchangefeed")
                .getBlobClient("meta/segments.json")
                .downloadContent();

        BlobServiceProxy.Counts counts = proxy.counts();
        assertThat(counts.get(RequestKind.LIST)).isEqualTo(1);
        assertThat(counts.get(RequestKind.DOWNLOAD)).isEqualTo(3);
        assertThat(counts.get(RequestKind.PROPERTIES)).isEqualTo(3);
        assertThat(counts.get(RequestKind.WRITE)).isEqualTo(1);
        assertThat(counts.get(RequestKind.CHANGE_FEED)).isEqualTo(1);
        assertThat(counts.total()).isEqualTo(9);
        assertThat(counts.byMethodAndKind())
                .containsEntry("GET DOWNLOAD", 3L)
                .containsEntry("HEAD PROPERTIES", 3L)
                .containsEntry("PUT WRITE", 1L);

        BlobServiceProxy.Counts before = proxy.counts();
        container.getBlobClient("d/b0").downloadContent();
        assertThat(proxy.counts().minus(before).get(RequestKind.DOWNLOAD)).isEqualTo(1);
        assertThat(proxy.counts().minus(before).total()).isEqualTo(1);

        proxy.resetCounts();
        assertThat(proxy.counts().total()).isZero();
    }

    @Test
    void classifiesUrls() {
        String c = "/devstoreaccount1/c";
        assertThat(RequestKind.of("GET", c + "/a/b.dat")).isEqualTo(RequestKind.DOWNLOAD);
        assertThat(RequestKind.of("HEAD", c + "/a/b.dat")).isEqualTo(RequestKind.PROPERTIES);
        assertThat(RequestKind.of("GET", c + "/a?comp=metadata")).isEqualTo(RequestKind.PROPERTIES);
        assertThat(RequestKind.of("GET", c + "?restype=container&comp=list&prefix=a"))
                .isEqualTo(RequestKind.LIST);
        assertThat(RequestKind.of("GET", "/devstoreaccount1/%24blobchangefeed/log/00/x.avro"))
                .isEqualTo(RequestKind.CHANGE_FEED);
        assertThat(RequestKind.of("GET", "/devstoreaccount1/$blobchangefeed?comp=list"))
                .isEqualTo(RequestKind.CHANGE_FEED);
        assertThat(RequestKind.of("PUT", c + "/a/b.dat")).isEqualTo(RequestKind.WRITE);
        assertThat(RequestKind.of("DELETE", c + "/a")).isEqualTo(RequestKind.WRITE);
        assertThat(RequestKind.of("HEAD", c + "?restype=container")).isEqualTo(RequestKind.OTHER);
    }

    @Test
    void statusFaultsReachTheClient() {
        for (Fault fault :
                List.of(
                        Fault.UNAVAILABLE,
                        Fault.UNAVAILABLE_RETRY_AFTER,
                        Fault.INTERNAL_ERROR,
                        Fault.SERVER_BUSY,
                        Fault.TOO_MANY_REQUESTS)) {
            proxy.injectFault(RequestKind.DOWNLOAD, fault, 1.0);
            Throwable t = catchThrowable(() -> container.getBlobClient("d/b0").downloadContent());
            proxy.injectFault(RequestKind.DOWNLOAD, fault, 0);

            assertThat(t).as("%s", fault).isInstanceOf(BlobStorageException.class);
            BlobStorageException e = (BlobStorageException) t;
            String retryAfter = e.getResponse().getHeaderValue("Retry-After");
            switch (fault) {
                case UNAVAILABLE -> {
                    assertThat(e.getStatusCode()).isEqualTo(503);
                    assertThat(retryAfter).isNull();
                }
                case UNAVAILABLE_RETRY_AFTER -> {
                    assertThat(e.getStatusCode()).isEqualTo(503);
                    assertThat(retryAfter).isEqualTo("1");
                }
                case SERVER_BUSY -> {
                    assertThat(e.getStatusCode()).isEqualTo(503);
                    assertThat(e.getErrorCode()).isEqualTo(BlobErrorCode.SERVER_BUSY);
                }
                case INTERNAL_ERROR -> {
                    assertThat(e.getStatusCode()).isEqualTo(500);
                    assertThat(e.getErrorCode()).isEqualTo(BlobErrorCode.INTERNAL_ERROR);
                }
                default -> assertThat(e.getStatusCode()).isEqualTo(429);
            }
            assertThat(proxy.counts().faults(fault)).isEqualTo(1);
        }
        // HEAD: no body, the error code in its header.
        proxy.injectFault(RequestKind.PROPERTIES, Fault.SERVER_BUSY, 1.0);
        assertThatThrownBy(() -> container.getBlobClient("d/b0").getProperties())
                .isInstanceOfSatisfying(
                        BlobStorageException.class,
                        e -> assertThat(e.getErrorCode()).isEqualTo(BlobErrorCode.SERVER_BUSY));
        proxy.clearFaults();
        assertThat(container.getBlobClient("d/b0").downloadContent().toString())
                .isEqualTo("blob 0");
    }

    @Test
    void resetsReachTheClient() {
        for (Fault fault :
                List.of(
                        Fault.RESET_BEFORE_HEADERS,
                        Fault.RESET_AFTER_HEADERS,
                        Fault.RESET_MID_BODY)) {
            proxy.injectFault(RequestKind.DOWNLOAD, fault, 1.0);
            // The SDK resumes a broken download by itself unless told not to.
            Throwable t =
                    catchThrowable(
                            () ->
                                    container
                                            .getBlobClient("big")
                                            .downloadContentWithResponse(
                                                    new DownloadRetryOptions()
                                                            .setMaxRetryRequests(0),
                                                    null,
                                                    null,
                                                    Context.NONE));
            proxy.injectFault(RequestKind.DOWNLOAD, fault, 0);

            assertThat(t).as("%s", fault).isNotNull().isNotInstanceOf(BlobStorageException.class);
            assertThat(proxy.counts().faults(fault)).isEqualTo(1);
            // The next request, on a new connection, is served.
            assertThat(container.getBlobClient("big").downloadContent().toBytes()).isEqualTo(BIG);
        }
    }

    @Test
    void stallsHoldTheResponse() {
        proxy.setStall(Duration.ofSeconds(2));
        proxy.injectFault(RequestKind.PROPERTIES, Fault.STALL, 1.0);
        long start = System.nanoTime();
        container.getBlobClient("d/b0").getProperties();
        assertThat((System.nanoTime() - start) / 1e9).isGreaterThanOrEqualTo(2.0);
        assertThat(proxy.counts().faults(Fault.STALL)).isEqualTo(1);
    }

    @Test
    void faultsFollowTheSeededRate() throws InterruptedException {
        List<Boolean> first = failures(proxy, 200);
        long failed = first.stream().filter(f -> f).count();
        assertThat(failed).isBetween(40L, 80L).isEqualTo(proxy.counts().faults(Fault.UNAVAILABLE));
        try (BlobServiceProxy again = BlobServiceProxy.start(AZURITE.port(), 42)) {
            assertThat(failures(again, 200)).isEqualTo(first);
        }
    }

    private static List<Boolean> failures(BlobServiceProxy proxy, int requests) {
        proxy.injectFault(RequestKind.PROPERTIES, Fault.UNAVAILABLE, 0.3);
        BlobContainerClient c = client(proxy).getBlobContainerClient(CONTAINER);
        List<Boolean> failed = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            try {
                c.getBlobClient("d/b1").getProperties();
                failed.add(false);
            } catch (BlobStorageException e) {
                failed.add(true);
            }
        }
        return failed;
    }

    @Test
    void reconnectsWhenAzuriteClosesAnIdleConnection() throws InterruptedException {
        container.getBlobClient("d/b0").getProperties();
        int opened = proxy.backendConnectionsOpened();
        Thread.sleep(6_000); // Azurite (Node.js) closes a keep-alive connection after 5 s idle
        for (int i = 0; i < 3; i++) {
            assertThat(container.getBlobClient("d/b" + i).downloadContent().toString())
                    .isEqualTo("blob " + i);
        }
        // A new connection behind (the client may have opened another of its own meanwhile).
        assertThat(proxy.backendConnectionsOpened()).isGreaterThan(opened);
    }

    /** Prints the proxy's CPU per request once warm; fails only if it is far off. */
    @Test
    void costsLittleCpu() throws Exception {
        BlobContainerAsyncClient async =
                new BlobServiceClientBuilder()
                        .connectionString(proxy.connectionString())
                        .buildAsyncClient()
                        .getBlobContainerAsyncClient(CONTAINER);
        int n = 5_000;
        heads(async, n); // warm-up: the JIT compiles the proxy's path
        double cpu0 = proxy.cpuSeconds();
        long start = System.nanoTime();
        heads(async, n);
        double seconds = (System.nanoTime() - start) / 1e9;
        double msPerRequest = 1000 * (proxy.cpuSeconds() - cpu0) / n;
        System.out.printf(
                Locale.ROOT,
                "proxy CPU: %.3f ms per request (%,d HEADs, 16 in flight, %,.0f/s)%n",
                msPerRequest,
                n,
                n / seconds);
        assertThat(msPerRequest).isLessThan(1.0);
    }

    private static void heads(BlobContainerAsyncClient async, int n) {
        Flux.range(0, n)
                .flatMap(i -> async.getBlobAsyncClient("d/b" + (i % 3)).getProperties(), 16)
                .blockLast();
    }

    private static double medianMillis(Runnable call) {
        double[] ms = new double[7];
        for (int i = 0; i < ms.length; i++) {
            long start = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
