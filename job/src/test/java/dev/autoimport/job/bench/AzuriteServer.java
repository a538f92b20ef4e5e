package dev.autoimport.job.bench;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import dev.autoimport.connector.blob.testing.AzuriteExtension;
import dev.autoimport.connector.blob.testing.BlobServiceProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pinned Azurite (installed by {@link AzuriteExtension#ensureInstalled()}), started as a child
 * process whose PID the benchmark keeps, so that its CPU time and memory can be read apart from the
 * clients'.
 *
 * <p>In-memory persistence: with {@code --location}, Azurite keeps blob metadata in a LokiJS
 * database that it re-serializes whole to one JSON file every five seconds; with 100,000+ blobs
 * that is a burst of CPU on the same two cores every few seconds, unrelated to serving requests.
 * The data set (about 0.9 GB with the mixed container) fits the machine's memory many times over.
 * Access logging is off ({@code --silent}): one console line per request costs Azurite CPU too. It
 * runs through {@code deploy/benchmark/azurite-no-gc.js}, which moves its extent garbage collector
 * from every 10 minutes to every 24 hours: with 100,000+ blobs one collection blocks Azurite's only
 * thread for more than 10 minutes.
 */
final class AzuriteServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    /** The port clients connect to: Azurite's own, or a proxy's in front of it. */
    private final int endpointPort;

    /** False for a view through a proxy ({@link #through}), which does not own the process. */
    private final boolean owner;

    private AzuriteServer(Process process, int port, Path log, int endpointPort, boolean owner) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.endpointPort = endpointPort;
        this.owner = owner;
    }

    /**
     * The same Azurite as seen through {@code proxy}: clients built from this view ({@link
     * #connectionString()}, {@link #serviceClient()}) go through the proxy, while {@link #pid()},
     * {@link #port()} (counting connections to Azurite) and CPU are still Azurite's. Closing the
     * view leaves Azurite running.
     */
    AzuriteServer through(BlobServiceProxy proxy) {
        return new AzuriteServer(process, port, log, proxy.port(), false);
    }

    static AzuriteServer start(Path workDir, int heapMib) throws IOException, InterruptedException {
        Path mainJs = AzuriteExtension.ensureInstalled();
        int port = freePort();
        Path log = workDir.resolve("azurite.log");
        ProcessBuilder pb =
                new ProcessBuilder(
                        List.of(
                                "node",
                                "--max-old-space-size=" + heapMib,
                                AzuriteExtension.repositoryRoot()
                                        .resolve("deploy/benchmark/azurite-no-gc.js")
                                        .toString(),
                                mainJs.toString(),
                                "--blobHost",
                                "127.0.0.1",
                                "--blobPort",
                                Integer.toString(port),
                                "--inMemoryPersistence",
                                "--silent",
                                "--disableTelemetry"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        // Stop it with the benchmark, also when that is interrupted (Ctrl-C, kill).
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "stop-azurite"));
        AzuriteServer server = new AzuriteServer(p, port, log, port, true);
        server.awaitListening();
        return server;
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    String blobEndpoint() {
        return AzuriteExtension.blobEndpoint(endpointPort);
    }

    String connectionString() {
        return AzuriteExtension.connectionString(endpointPort);
    }

    BlobServiceClient serviceClient() {
        return new BlobServiceClientBuilder().connectionString(connectionString()).buildClient();
    }

    double cpuSeconds() {
        return ProcStats.cpuSeconds(pid());
    }

    double rssMib() {
        return ProcStats.statusMib(pid(), "VmRSS");
    }

    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Azurite exited: " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        close();
        throw new IOException("Azurite did not listen on port " + port + " within 60 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (!owner) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
