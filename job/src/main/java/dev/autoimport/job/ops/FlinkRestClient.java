package dev.autoimport.job.ops;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * GETs JSON from a Flink REST endpoint with the JDK's HTTP client and parses it with azure-json
 * into maps, lists, strings, numbers and booleans. Needs nothing from Flink on the class path.
 */
public final class FlinkRestClient {

    /** The endpoint answered with an HTTP status other than 200. */
    public static final class StatusException extends IOException {
        private static final long serialVersionUID = 1L;
        public final int status;

        StatusException(String path, int status, String body) {
            super("GET " + path + " answered HTTP " + status + ": " + body);
            this.status = status;
        }
    }

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    public FlinkRestClient(URI base, Duration timeout) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public URI base() {
        return base;
    }

    /** GETs {@code path} (starting with '/', query already encoded) and parses the answer. */
    public Object get(String path) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(timeout)
                        .header("Accept", "application/json")
                        .GET()
                        .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            String body = response.body();
            throw new StatusException(
                    path,
                    response.statusCode(),
                    body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
        try (JsonReader reader = JsonProviders.createReader(response.body())) {
            reader.nextToken();
            return reader.readUntyped();
        }
    }
}
