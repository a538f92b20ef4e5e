package dev.autoimport.job;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of {@code flink run}: parses and validates the settings, then submits the import
 * or auto-import job. With {@code --local} it starts an embedded Flink with its web UI first and
 * keeps it up after a bounded import finishes, so the run can be inspected.
 */
public final class AutoImportJob {

    private static final Logger LOG = LoggerFactory.getLogger(AutoImportJob.class);

    /** Exit code for a bad setting: nothing was submitted. */
    public static final int EXIT_BAD_SETTINGS = 2;

    private AutoImportJob() {}

    public static void main(String[] args) throws Exception {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandLine.Parsed parsed;
        JobSettings settings;
        try {
            parsed = CommandLine.parse(args);
            if (parsed.help) {
                out.print(CommandLine.helpText());
                return 0;
            }
            settings = JobSettings.from(parsed.configuration);
        } catch (IllegalArgumentException e) {
            err.println("auto-import: " + e.getMessage());
            err.println("auto-import: nothing was submitted; --help lists every setting");
            return EXIT_BAD_SETTINGS;
        }
        String version = AutoImportVersion.current();
        LOG.info(
                "auto-import {} starting: mode {}, container {}, Lustre root {}, parallelism {}",
                version,
                settings.mode.value(),
                settings.storage.container(),
                settings.lustreRoot,
                settings.parallelism < 0 ? "cluster default" : settings.parallelism);
        out.println("auto-import " + version + ": submitting '" + settings.jobName + "'");
        if (parsed.local) {
            runLocally(settings, parsed.webUiPort, out);
        } else {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            AutoImportPipeline.configure(env, settings);
            AutoImportPipeline.build(env, settings);
            env.execute(settings.jobName);
        }
        return 0;
    }

    private static void runLocally(JobSettings settings, int webUiPort, PrintStream out)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.PORT, webUiPort);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, 4);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(4)
                                .build());
        cluster.start();
        URI rest = cluster.getRestAddress().get();
        out.println("auto-import: Flink web UI at " + rest);
        out.println("auto-import: mirroring into " + settings.lustreRoot);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> cluster.closeAsync().join()));

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment(
                        rest.getHost(), rest.getPort(), conf);
        if (settings.parallelism < 0) {
            env.setParallelism(2);
        }
        AutoImportPipeline.configure(env, settings);
        AutoImportPipeline.build(env, settings);
        env.execute(settings.jobName);
        out.println(
                "auto-import: the job finished; the web UI stays up at "
                        + rest
                        + " until you press Ctrl-C");
        Thread.currentThread().join();
    }
}
