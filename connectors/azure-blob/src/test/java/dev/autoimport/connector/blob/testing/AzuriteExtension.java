package dev.autoimport.connector.blob.testing;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import dev.autoimport.connector.blob.BlobStorageConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real Azurite blob service on a free loopback port for one test class, and stops it
 * afterwards.
 *
 * <p>Azurite comes from the pinned {@code deploy/local/package.json} and its lock file; when {@code
 * node_modules} is missing it is installed with {@code npm ci} first (under a file lock, since
 * several test JVMs may start at once). Use it as {@code @RegisterExtension static final
 * AzuriteExtension AZURITE = new AzuriteExtension();}.
 */
public final class AzuriteExtension implements BeforeAllCallback, AfterAllCallback {

    /** The well-known development account key every Azurite accepts. */
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static final String ACCOUNT_NAME = "devstoreaccount1";

    private Process process;
    private int port;
    private Path logFile;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    /** Starts Azurite (installing it first if needed) and waits until it answers. */
    public synchronized void start() throws IOException, InterruptedException {
        if (process != null) {
            return;
        }
        Path mainJs = ensureInstalled();
        port = freePort();
        logFile = Files.createTempFile("azurite-" + port + "-", ".log");
        ProcessBuilder pb =
                new ProcessBuilder(
                        List.of(
                                "node",
                                mainJs.toString(),
                                "--blobHost",
                                "127.0.0.1",
                                "--blobPort",
                                Integer.toString(port),
                                "--inMemoryPersistence",
                                "--disableTelemetry"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(logFile.toFile());
        process = pb.start();
        waitUntilListening(Duration.ofSeconds(60));
    }

    /** Stops Azurite; everything it held is gone (in-memory persistence). */
    public synchronized void stop() {
        if (process == null) {
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
        process = null;
    }

    public int port() {
        return port;
    }

    public String blobEndpoint() {
        return blobEndpoint(port);
    }

    public String connectionString() {
        return connectionString(port);
    }

    /** The development account's blob endpoint on {@code 127.0.0.1:port} (Azurite or a proxy). */
    public static String blobEndpoint(int port) {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT_NAME;
    }

    /** A connection string for the development account on {@code 127.0.0.1:port}. */
    public static String connectionString(int port) {
        return "DefaultEndpointsProtocol=http;AccountName="
                + ACCOUNT_NAME
                + ";AccountKey="
                + ACCOUNT_KEY
                + ";BlobEndpoint="
                + blobEndpoint(port)
                + ";";
    }

    public BlobServiceClient serviceClient() {
        return new BlobServiceClientBuilder().connectionString(connectionString()).buildClient();
    }

    /** Creates the container if missing and returns its client. */
    public BlobContainerClient createContainer(String name) {
        BlobContainerClient client = serviceClient().getBlobContainerClient(name);
        client.createIfNotExists();
        return client;
    }

    /** Settings for the job's sources and sink, authenticated by connection string. */
    public BlobStorageConfig storageConfig(String container) {
        return BlobStorageConfig.ofConnectionString(connectionString(), container);
    }

    /**
     * The root of this repository: the first parent of the working directory with {@code
     * deploy/local}.
     */
    public static Path repositoryRoot() {
        Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("deploy/local/package.json"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "cannot find deploy/local/package.json above " + dir + "; run from the repository");
    }

    /**
     * Installs the pinned Azurite with {@code npm ci} when it is missing; returns its entry point.
     */
    @SuppressWarnings("try") // the file lock is held for the try block, never read
    public static Path ensureInstalled() throws IOException, InterruptedException {
        Path local = repositoryRoot().resolve("deploy/local");
        Path mainJs = local.resolve("node_modules/azurite/dist/src/blob/main.js");
        if (Files.isRegularFile(mainJs)) {
            return mainJs;
        }
        Path lockFile = local.resolve(".npm-install.lock");
        try (FileChannel channel =
                        FileChannel.open(
                                lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            if (!Files.isRegularFile(mainJs)) {
                // Not inheritIO: a forked test JVM's stdout is Surefire's channel to Maven.
                Path npmLog = Files.createTempFile("azurite-npm-ci-", ".log");
                Process npm =
                        new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                                .directory(local.toFile())
                                .redirectErrorStream(true)
                                .redirectOutput(npmLog.toFile())
                                .start();
                if (npm.waitFor() != 0 || !Files.isRegularFile(mainJs)) {
                    throw new IOException(
                            "npm ci in "
                                    + local
                                    + " failed (exit "
                                    + npm.exitValue()
                                    + "); Azurite needs Node.js 20 and npm on the PATH. npm said: "
                                    + Files.readString(npmLog));
                }
            }
        }
        return mainJs;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void waitUntilListening(Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "Azurite exited with "
                                + process.exitValue()
                                + ": "
                                + Files.readString(logFile));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        stop();
        throw new UncheckedIOException(
                new IOException("Azurite did not listen on port " + port + " within " + timeout));
    }
}
