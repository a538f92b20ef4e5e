package dev.autoimport.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks deploy/kubernetes: the FlinkDeployment against the Flink Kubernetes Operator's CRD schema
 * (read from the shared reference directory beside the repository, or the file the system property
 * {@code autoimport.operator.crd} names; without it the two schema tests are skipped with a message
 * saying so), and the settings that make the deployment work: state, HA, the Lustre volume,
 * workload identity, metrics, and job arguments the job accepts.
 */
class KubernetesManifestTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String LUSTRE_CSI_DRIVER = "azurelustre.csi.azure.com";
    private static final String MAIN_CONTAINER = "flink-main-container";
    private static final String CRD = "shared/reference/flinkdeployments.flink.apache.org-v1.yml";

    /** A system property naming the CRD file, for a checkout without the shared directory. */
    private static final String CRD_PROPERTY = "autoimport.operator.crd";

    /** The job's settings when {@code AutoImportOptions} is not on the classpath. */
    private static final Set<String> SETTINGS_FALLBACK =
            Set.of(
                    "mode",
                    "storage.endpoint",
                    "storage.container",
                    "storage.connection-string",
                    "storage.sas-token",
                    "lustre.root",
                    "import.prefixes",
                    "sync.conflict-mode",
                    "sync.enable-deletions",
                    "import.max-errors",
                    "logging.container",
                    "metadata.allow-setuid",
                    "lustre.max-concurrent-writes",
                    "changefeed.poll-interval",
                    "job.checkpoint-interval",
                    "job.parallelism",
                    "job.name");

    /** Flink 1.x keys that Flink 2.x replaced: they must not creep back in. */
    private static final Set<String> DEPRECATED_KEYS =
            Set.of(
                    "state.backend",
                    "state.backend.incremental",
                    "state.checkpoints.dir",
                    "state.savepoints.dir",
                    "state.checkpoints.num-retained",
                    "high-availability",
                    "restart-strategy");

    private static Path repositoryRoot;
    private static Path manifestDir;

    /** Every document of the files kustomization.yaml lists, in order. */
    private static List<JsonNode> resources;

    private static JsonNode deployment;
    private static JsonNode flinkConf;
    private static Map<String, String> args;

    @BeforeAll
    static void load() throws IOException {
        repositoryRoot = findRepositoryRoot();
        manifestDir = repositoryRoot.resolve("deploy/kubernetes");
        resources = new ArrayList<>();
        for (JsonNode file : single(manifestDir.resolve("kustomization.yaml")).path("resources")) {
            resources.addAll(readYaml(manifestDir.resolve(file.textValue())));
        }
        deployment = only("FlinkDeployment");
        flinkConf = deployment.at("/spec/flinkConfiguration");
        args = parseArgs(deployment.at("/spec/job/args"));
    }

    // ---- the CRD schema ----

    @Test
    void flinkDeploymentValidatesAgainstTheOperatorCrd() throws IOException {
        assertThat(text(deployment, "/apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        assertThat(text(deployment, "/kind")).isEqualTo("FlinkDeployment");
        assertThat(text(deployment, "/metadata/name")).isNotBlank();

        List<Error> errors = crdSpecSchema().validate(deployment.get("spec"));

        assertThat(errors).as("schema errors in spec").isEmpty();
    }

    @Test
    void brokenCopiesFailTheSchema() throws IOException {
        Schema schema = crdSpecSchema();
        Map<String, Consumer<ObjectNode>> breakages = new LinkedHashMap<>();
        breakages.put(
                "parallelism as a string",
                spec -> ((ObjectNode) spec.get("job")).put("parallelism", "eight"));
        breakages.put(
                "an upgrade mode the operator lacks",
                spec -> ((ObjectNode) spec.get("job")).put("upgradeMode", "savepiont"));
        breakages.put("a misspelt field", spec -> spec.put("flinkVerison", "v2_3"));
        breakages.put(
                "a volume mount in the wrong place",
                spec ->
                        ((ObjectNode) spec.at("/podTemplate/spec"))
                                .set("volumeMounts", JsonNodeFactory.instance.arrayNode()));
        breakages.put(
                "a memory size as a number",
                spec -> ((ObjectNode) spec.at("/taskManager/resource")).put("memory", 8192));

        breakages.forEach(
                (what, breakage) -> {
                    ObjectNode broken = (ObjectNode) deployment.get("spec").deepCopy();
                    breakage.accept(broken);
                    assertThat(schema.validate(broken)).as(what).isNotEmpty();
                });
    }

    // ---- Flink: version, mode, upgrades, state ----

    @Test
    void runsTheJobJarInApplicationModeOnFlink23() throws IOException {
        assertThat(text(deployment, "/spec/flinkVersion")).isEqualTo("v2_3");
        String jarUri = text(deployment, "/spec/job/jarURI");
        assertThat(jarUri).startsWith("local:///").endsWith(".jar");
        assertThat(text(deployment, "/spec/job/state")).isEqualTo("running");
        assertThat(text(deployment, "/spec/job/upgradeMode")).isEqualTo("savepoint");
        assertThat(text(deployment, "/spec/image")).isNotBlank();

        // The image puts the jar where jarURI looks for it.
        String dockerfile = Files.readString(manifestDir.resolve("Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^FROM flink:2\\.3-java17\\s*$");
        assertThat(dockerfile)
                .containsPattern("(?m)^COPY .* " + jarUri.substring("local://".length()) + "\\s*$");
    }

    @Test
    void usesRocksDbWithIncrementalCheckpointsAndDurableDirectories() {
        assertThat(conf("state.backend.type")).isEqualTo("rocksdb");
        assertThat(conf("execution.checkpointing.incremental")).isEqualTo("true");
        Duration interval = TimeUtils.parseDuration(conf("execution.checkpointing.interval"));
        assertThat(interval).isPositive();
        assertThat(args)
                .as("the job leaves checkpointing to this configuration; a job setting would win")
                .doesNotContainKey("job.checkpoint-interval");
        assertThat(conf("execution.checkpointing.externalized-checkpoint-retention"))
                .isEqualTo("RETAIN_ON_CANCELLATION");

        assertThat(names(flinkConf)).doesNotContainAnyElementsOf(DEPRECATED_KEYS);
        assertThat(conf("restart-strategy.type")).isNotBlank();
    }

    @Test
    void checkpointsSavepointsAndHaMetadataLiveOnTheSharedVolumeOutsideTheRoot() {
        assertThat(conf("high-availability.type")).isEqualTo("kubernetes");
        Path root = Paths.get(arg("lustre.root"));
        for (String key :
                List.of(
                        "execution.checkpointing.dir",
                        "execution.checkpointing.savepoint-dir",
                        "high-availability.storageDir")) {
            String uri = conf(key);
            assertThat(uri).as(key).startsWith("file:///");
            Path dir = Paths.get(uri.substring("file://".length())).normalize();
            assertThat(dir.startsWith(root)).as(key + " must not be inside lustre.root").isFalse();
            assertThat(root.startsWith(dir)).as(key + " must not contain lustre.root").isFalse();
            for (String role : List.of("jobManager", "taskManager")) {
                assertThat(dir.startsWith(mountOf(role, lustreClaimName())))
                        .as("%s is on the Lustre volume mounted into the %s", key, role)
                        .isTrue();
            }
        }
    }

    // ---- Lustre ----

    @Test
    void lustreRootIsOnTheLustreClaimInTaskManagersAndTheJobManager() {
        String claim = lustreClaimName();
        Path root = Paths.get(arg("lustre.root"));
        assertThat(root.isAbsolute()).as("lustre.root is absolute").isTrue();
        for (String role : List.of("taskManager", "jobManager")) {
            Path mount = mountOf(role, claim);
            assertThat(root.normalize().startsWith(mount))
                    .as("lustre.root %s is under the %s mount %s", root, role, mount)
                    .isTrue();
        }
        // Kubernetes would otherwise re-own the whole Lustre tree on every mount.
        for (String role : List.of("taskManager", "jobManager")) {
            assertThat(podTemplate(role).at("/spec/securityContext/fsGroup").isMissingNode())
                    .as("no fsGroup on %s pods", role)
                    .isTrue();
        }
    }

    @Test
    void theClaimIsAStaticLustreVolumeOfTheAzureLustreCsiDriver() {
        JsonNode pvc = named("PersistentVolumeClaim", lustreClaimName());
        assertThat(pvc.at("/spec/accessModes").toString()).contains("ReadWriteMany");

        JsonNode storageClass = named("StorageClass", text(pvc, "/spec/storageClassName"));
        assertThat(text(storageClass, "/provisioner")).isEqualTo(LUSTRE_CSI_DRIVER);
        assertThat(text(storageClass, "/reclaimPolicy")).isEqualTo("Retain");

        JsonNode pv = named("PersistentVolume", text(pvc, "/spec/volumeName"));
        assertThat(text(pv, "/spec/csi/driver")).isEqualTo(LUSTRE_CSI_DRIVER);
        assertThat(text(pv, "/spec/storageClassName"))
                .isEqualTo(text(pvc, "/spec/storageClassName"));
        assertThat(text(pv, "/spec/persistentVolumeReclaimPolicy")).isEqualTo("Retain");
        assertThat(text(pv, "/spec/csi/volumeHandle")).isNotBlank();
        assertThat(text(pv, "/spec/csi/volumeAttributes/mgs-ip-address")).isNotBlank();
        assertThat(text(pv, "/spec/csi/volumeAttributes/fs-name")).isNotBlank();
        assertThat(pv.at("/spec/accessModes").toString()).contains("ReadWriteMany");
    }

    // ---- identity and RBAC ----

    @Test
    void podsUseWorkloadIdentityThroughTheirServiceAccount() {
        String serviceAccount = text(deployment, "/spec/serviceAccount");
        JsonNode account = named("ServiceAccount", serviceAccount);
        assertThat(text(account, "/metadata/annotations/azure.workload.identity~1client-id"))
                .isNotBlank();
        for (String role : List.of("jobManager", "taskManager")) {
            // A string: the webhook ignores a YAML boolean.
            assertThat(text(podTemplate(role), "/metadata/labels/azure.workload.identity~1use"))
                    .as("workload identity label on %s pods", role)
                    .isEqualTo("true");
        }

        // Kubernetes HA keeps leader election and job metadata in ConfigMaps, and the
        // JobManager creates its TaskManager pods: the service account needs both.
        JsonNode binding =
                ofKind("RoleBinding")
                        .filter(b -> hasServiceAccountSubject(b, serviceAccount))
                        .findFirst()
                        .orElseGet(() -> fail("no RoleBinding for " + serviceAccount));
        JsonNode role = named("Role", text(binding, "/roleRef/name"));
        String rules = role.path("rules").toString();
        assertThat(rules).contains("\"configmaps\"", "\"pods\"", "\"create\"", "\"delete\"");
    }

    // ---- metrics ----

    @Test
    void exposesFlinkMetricsToPrometheus() throws IOException {
        assertThat(conf("metrics.reporter.prom.factory.class"))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        String port = conf("metrics.reporter.prom.port");
        assertThat(port).isEqualTo("9249");
        for (String role : List.of("jobManager", "taskManager")) {
            JsonNode pod = podTemplate(role);
            assertThat(text(pod, "/metadata/annotations/prometheus.io~1scrape")).isEqualTo("true");
            assertThat(text(pod, "/metadata/annotations/prometheus.io~1port")).isEqualTo(port);
            assertThat(mainContainer(pod).path("ports").toString())
                    .contains("\"name\":\"metrics\"", "\"containerPort\":" + port);
        }
        // The optional PodMonitor scrapes the same pods and port.
        Path podMonitorFile = manifestDir.resolve("podmonitor.yaml");
        if (Files.exists(podMonitorFile)) {
            JsonNode podMonitor = single(podMonitorFile);
            assertThat(text(podMonitor, "/kind")).isEqualTo("PodMonitor");
            JsonNode podLabels = podTemplate("taskManager").at("/metadata/labels");
            for (Map.Entry<String, JsonNode> label :
                    podMonitor.at("/spec/selector/matchLabels").properties()) {
                assertThat(podLabels.path(label.getKey()).asText(""))
                        .as("pod label %s", label.getKey())
                        .isEqualTo(label.getValue().textValue());
            }
            assertThat(text(podMonitor, "/spec/podMetricsEndpoints/0/port")).isEqualTo("metrics");
        }
    }

    // ---- job arguments ----

    @Test
    void everyJobArgumentIsASettingTheJobKnows() {
        Set<String> known = knownSettings();
        assertThat(args.keySet()).as("settings the job accepts").isSubsetOf(known);
        assertThat(args)
                .containsKeys(
                        "mode",
                        "storage.endpoint",
                        "storage.container",
                        "lustre.root",
                        "logging.container");
        assertThat(arg("mode")).isEqualTo("auto-import");
        if (args.containsKey("sync.conflict-mode")) {
            // fail is for the bounded import job only.
            assertThat(arg("sync.conflict-mode"))
                    .isIn("skip", "overwrite-if-dirty", "overwrite-always");
        }
        assertThat(arg("storage.endpoint"))
                .matches("https://[a-z0-9]+\\.blob\\.core\\.windows\\.net/?");
        // spec.job.parallelism becomes parallelism.default; --job.parallelism would override it
        // and make rescaling through the FlinkDeployment a no-op.
        assertThat(args).doesNotContainKey("job.parallelism");
        assertThat(deployment.at("/spec/job/parallelism").asInt())
                .isPositive()
                .isLessThanOrEqualTo(Integer.parseInt(conf("pipeline.max-parallelism")));
    }

    @Test
    void noSecretInTheJobArgumentsOrAnyManifest() throws IOException {
        assertThat(args).doesNotContainKeys("storage.connection-string", "storage.sas-token");
        assertThat(arg("storage.endpoint")).doesNotContain("?");
        try (Stream<Path> files = Files.list(manifestDir)) {
            for (Path file : files.collect(Collectors.toList())) {
                String content = Files.readString(file);
                assertThat(content)
                        .as(file.getFileName().toString())
                        .doesNotContainIgnoringCase("AccountKey=")
                        .doesNotContainIgnoringCase("SharedAccessSignature=")
                        .doesNotContainIgnoringCase("DefaultEndpointsProtocol=")
                        .doesNotContainPattern("[?&]sig=")
                        .doesNotContainPattern("\\bsv=\\d{4}-\\d{2}-\\d{2}");
            }
        }
    }

    // ---- packaging ----

    @Test
    void kustomizeListsEveryManifestAndRewritesTheFlinkImage() throws IOException {
        JsonNode kustomization = single(manifestDir.resolve("kustomization.yaml"));
        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.textValue()));
        kustomization.path("configurations").forEach(r -> listed.add(r.textValue()));
        listed.add("kustomization.yaml");
        listed.add("podmonitor.yaml"); // optional, commented out in resources
        try (Stream<Path> files = Files.list(manifestDir)) {
            assertThat(
                            files.map(f -> f.getFileName().toString())
                                    .filter(f -> f.endsWith(".yaml") || f.endsWith(".yml")))
                    .allMatch(listed::contains, "listed in kustomization.yaml");
        }

        // kustomize does not know FlinkDeployment's image field without being told.
        boolean mapsFlinkImage = false;
        for (JsonNode configuration : kustomization.path("configurations")) {
            for (JsonNode spec :
                    single(manifestDir.resolve(configuration.textValue())).path("images")) {
                mapsFlinkImage |=
                        "FlinkDeployment".equals(spec.path("kind").asText(""))
                                && "spec/image".equals(spec.path("path").asText(""));
            }
        }
        assertThat(mapsFlinkImage).as("an images field spec for FlinkDeployment").isTrue();
        String image = text(deployment, "/spec/image");
        String imageName = image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image;
        assertThat(kustomization.path("images").findValuesAsText("name")).contains(imageName);
    }

    // ---- helpers ----

    private static Schema crdSpecSchema;
    private static boolean skipReported;

    /** The CRD's schema of {@code spec}, made as strict as the API server with field validation. */
    private static synchronized Schema crdSpecSchema() throws IOException {
        if (crdSpecSchema == null) {
            crdSpecSchema = loadCrdSpecSchema();
        }
        return crdSpecSchema;
    }

    private static Schema loadCrdSpecSchema() throws IOException {
        Path crdFile = crdFile();
        if (!Files.isRegularFile(crdFile) && !skipReported) {
            skipReported = true;
            System.err.println(
                    "KubernetesManifestTest: no operator CRD at "
                            + crdFile
                            + "; the two schema checks are skipped (see the skipped tests' reason)");
        }
        assumeTrue(
                Files.isRegularFile(crdFile),
                () ->
                        "SKIPPED: the Flink Kubernetes Operator's FlinkDeployment CRD is not at "
                                + crdFile
                                + " (it is not part of this repository); the manifest's schema is"
                                + " not checked. Point -D"
                                + CRD_PROPERTY
                                + "=<file> at flinkdeployments.flink.apache.org-v1.yml to check it.");
        JsonNode version =
                elements(single(crdFile).at("/spec/versions"))
                        .filter(v -> "v1beta1".equals(v.path("name").asText("")))
                        .findFirst()
                        .orElseGet(() -> fail("no v1beta1 in " + crdFile));
        JsonNode spec = version.at("/schema/openAPIV3Schema/properties/spec").deepCopy();
        assertThat(spec.isObject()).isTrue();
        strict(spec);
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(spec);
    }

    /** The CRD: {@value #CRD_PROPERTY} if set, else the shared reference directory beside. */
    private static Path crdFile() {
        String configured = System.getProperty(CRD_PROPERTY, "");
        return configured.isBlank()
                ? repositoryRoot.resolveSibling(CRD)
                : Paths.get(configured).toAbsolutePath();
    }

    /**
     * Rewrites a Kubernetes structural schema into plain JSON Schema: drops the {@code
     * x-kubernetes-*} extensions and rejects unknown fields ({@code kubectl apply} uses strict
     * field validation) except where the schema preserves them.
     */
    private static void strict(JsonNode node) {
        if (!(node instanceof ObjectNode)) {
            return;
        }
        ObjectNode schema = (ObjectNode) node;
        boolean preserveUnknown =
                schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        schema.remove(
                names(schema).stream()
                        .filter(k -> k.startsWith("x-kubernetes-"))
                        .collect(Collectors.toList()));
        if (schema.has("properties")) {
            schema.get("properties").forEach(KubernetesManifestTest::strict);
            if (!preserveUnknown && !schema.has("additionalProperties")) {
                schema.put("additionalProperties", false);
            }
        }
        strict(schema.get("items"));
        strict(schema.get("additionalProperties"));
        for (String combinator : List.of("anyOf", "allOf", "oneOf")) {
            if (schema.get(combinator) instanceof ArrayNode) {
                schema.get(combinator).forEach(KubernetesManifestTest::strict);
            }
        }
    }

    /**
     * The pod template a role's pods get: the shared {@code podTemplate} with the role's own on
     * top, merged by name (the deployment sets {@code
     * kubernetes.operator.pod-template.merge-arrays-by-name}).
     */
    private static JsonNode podTemplate(String role) {
        assertThat(conf("kubernetes.operator.pod-template.merge-arrays-by-name")).isEqualTo("true");
        JsonNode shared = deployment.at("/spec/podTemplate");
        JsonNode own = deployment.at("/spec/" + role + "/podTemplate");
        if (own.isMissingNode()) {
            return shared;
        }
        if (shared.isMissingNode()) {
            return own;
        }
        return merge(shared.deepCopy(), own);
    }

    private static JsonNode merge(JsonNode base, JsonNode override) {
        if (base instanceof ObjectNode && override.isObject()) {
            ObjectNode merged = (ObjectNode) base;
            override.properties().stream()
                    .forEach(
                            e ->
                                    merged.set(
                                            e.getKey(),
                                            merged.has(e.getKey())
                                                    ? merge(merged.get(e.getKey()), e.getValue())
                                                    : e.getValue().deepCopy()));
            return merged;
        }
        if (base instanceof ArrayNode && override.isArray()) {
            ArrayNode merged = (ArrayNode) base;
            for (JsonNode item : override) {
                JsonNode same = null;
                for (JsonNode existing : merged) {
                    if (item.has("name") && item.get("name").equals(existing.get("name"))) {
                        same = existing;
                    }
                }
                if (same == null) {
                    merged.add(item.deepCopy());
                } else {
                    merge(same, item);
                }
            }
            return merged;
        }
        return override.deepCopy();
    }

    private static JsonNode mainContainer(JsonNode pod) {
        return elements(pod.at("/spec/containers"))
                .filter(c -> MAIN_CONTAINER.equals(c.path("name").asText("")))
                .findFirst()
                .orElseGet(() -> fail("no " + MAIN_CONTAINER + " in the pod template"));
    }

    /** Where a role's main container mounts the volume backed by the given claim. */
    private static Path mountOf(String role, String claim) {
        JsonNode pod = podTemplate(role);
        String volume =
                elements(pod.at("/spec/volumes"))
                        .filter(
                                v ->
                                        claim.equals(
                                                v.at("/persistentVolumeClaim/claimName")
                                                        .asText("")))
                        .map(v -> v.path("name").textValue())
                        .findFirst()
                        .orElseGet(() -> fail("%s pods have no volume for claim %s", role, claim));
        return elements(mainContainer(pod).path("volumeMounts"))
                .filter(m -> volume.equals(m.path("name").asText("")))
                .map(m -> Paths.get(m.path("mountPath").textValue()).normalize())
                .findFirst()
                .orElseGet(() -> fail("%s does not mount volume %s", role, volume));
    }

    /** The claim backing the volume that holds the Lustre root. */
    private static String lustreClaimName() {
        List<String> claims =
                ofKind("PersistentVolumeClaim")
                        .filter(
                                pvc -> {
                                    JsonNode pv =
                                            named(
                                                    "PersistentVolume",
                                                    text(pvc, "/spec/volumeName"));
                                    return LUSTRE_CSI_DRIVER.equals(
                                            pv.at("/spec/csi/driver").asText(""));
                                })
                        .map(pvc -> text(pvc, "/metadata/name"))
                        .collect(Collectors.toList());
        assertThat(claims).as("claims of Lustre volumes").hasSize(1);
        return claims.get(0);
    }

    private static boolean hasServiceAccountSubject(JsonNode binding, String serviceAccount) {
        return elements(binding.path("subjects"))
                .anyMatch(
                        s ->
                                "ServiceAccount".equals(s.path("kind").asText(""))
                                        && serviceAccount.equals(s.path("name").asText("")));
    }

    private static Set<String> knownSettings() {
        // Read reflectively so this test compiles before and after the job's options exist.
        try {
            Class<?> options = Class.forName("dev.autoimport.job.AutoImportOptions");
            List<?> all = (List<?>) options.getField("ALL").get(null);
            return all.stream()
                    .map(o -> ((ConfigOption<?>) o).key())
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (ClassNotFoundException e) {
            return SETTINGS_FALLBACK;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("AutoImportOptions.ALL is not readable", e);
        }
    }

    /** {@code --key value} pairs; {@code --key=value} is accepted too, as the job does. */
    private static Map<String, String> parseArgs(JsonNode list) {
        assertThat(list.isArray()).as("spec.job.args is a list").isTrue();
        Map<String, String> parsed = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            assertThat(list.get(i).isTextual()).as("argument %d is a string", i).isTrue();
            String arg = list.get(i).textValue();
            assertThat(arg).as("argument %d", i).startsWith("--");
            int eq = arg.indexOf('=');
            String key;
            String value;
            if (eq > 0) {
                key = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else {
                assertThat(i + 1).as("a value after %s", arg).isLessThan(list.size());
                key = arg.substring(2);
                assertThat(list.get(i + 1).isTextual())
                        .as("the value of %s is a string", arg)
                        .isTrue();
                value = list.get(++i).textValue();
            }
            assertThat(parsed.put(key, value)).as("%s given twice", key).isNull();
        }
        return parsed;
    }

    private static Stream<JsonNode> elements(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String arg(String key) {
        assertThat(args).as("job arguments").containsKey(key);
        return args.get(key);
    }

    private static String conf(String key) {
        JsonNode value = flinkConf.get(key);
        assertThat(value).as("flinkConfiguration %s", key).isNotNull();
        assertThat(value.isTextual()).as("flinkConfiguration %s is a string", key).isTrue();
        return value.textValue();
    }

    private static String text(JsonNode node, String pointer) {
        JsonNode value = node.at(pointer);
        assertThat(value.isTextual()).as("%s is a string", pointer).isTrue();
        return value.textValue();
    }

    private static Stream<JsonNode> ofKind(String kind) {
        return resources.stream().filter(r -> kind.equals(r.path("kind").asText("")));
    }

    private static JsonNode only(String kind) {
        List<JsonNode> found = ofKind(kind).collect(Collectors.toList());
        assertThat(found).as("resources of kind %s", kind).hasSize(1);
        return found.get(0);
    }

    private static JsonNode named(String kind, String name) {
        return ofKind(kind)
                .filter(r -> name.equals(r.at("/metadata/name").asText("")))
                .findFirst()
                .orElseGet(() -> fail("no %s named %s in the manifests", kind, name));
    }

    private static JsonNode single(Path file) throws IOException {
        List<JsonNode> documents = readYaml(file);
        assertThat(documents).as("documents in %s", file).hasSize(1);
        return documents.get(0);
    }

    /** Every document of a YAML file, as JSON trees. */
    private static List<JsonNode> readYaml(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
                if (document != null) {
                    documents.add(JSON.valueToTree(document));
                }
            }
        }
        return documents;
    }

    private static Path findRepositoryRoot() {
        Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("deploy/local/package.json"))) {
                return d;
            }
        }
        throw new AssertionError(
                "no repository root (with deploy/local/package.json) above " + dir);
    }
}
