package dev.autoimport.job.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code rclone sync} from a container to a directory under {@code /usr/bin/time}, which gives
 * its elapsed time, CPU time and peak RSS.
 *
 * <p>rclone reaches Azurite through a container-level SAS URL in {@code RCLONE_AZUREBLOB_SAS_URL}
 * (no config file): its {@code endpoint} option builds {@code https://<account>.<endpoint>} and
 * {@code use_emulator} is fixed to port 10000, neither of which fits an Azurite on a free port.
 */
final class RcloneRunner {

    /** One finished sync. */
    record Run(
            double seconds,
            double cpuSeconds,
            double peakRssMib,
            double azuriteCpuSeconds,
            double machineCpuSeconds,
            int peakConnections) {}

    private final AzuriteServer azurite;
    private final Path workDir;
    private final List<String> flags;

    RcloneRunner(AzuriteServer azurite, Path workDir, List<String> flags) {
        this.azurite = azurite;
        this.workDir = workDir;
        this.flags = List.copyOf(flags);
    }

    List<String> flags() {
        return flags;
    }

    static String version() {
        try {
            Process p = new ProcessBuilder("rclone", "version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().findFirst().orElse("rclone (unknown version)").trim();
        } catch (IOException e) {
            return "rclone (not found)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "rclone (unknown version)";
        }
    }

    Run sync(String container, String sasUrl, Path target)
            throws IOException, InterruptedException {
        Files.createDirectories(target);
        Path timeFile = workDir.resolve("rclone-time.txt");
        Path log = workDir.resolve("rclone-" + container + ".log");
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "/usr/bin/time",
                                "-f",
                                "%e %U %S %M",
                                "-o",
                                timeFile.toString(),
                                "rclone",
                                "sync",
                                ":azureblob:" + container,
                                target.toString()));
        cmd.addAll(flags);
        cmd.addAll(List.of("--log-level", "ERROR", "--log-file", log.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("RCLONE_CONFIG", "/dev/null");
        pb.environment().put("RCLONE_AZUREBLOB_SAS_URL", sasUrl);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        double az0 = azurite.cpuSeconds();
        double machine0 = ProcStats.machineBusySeconds();
        long start = System.nanoTime();
        Process p = pb.start();
        int peakConnections = 0;
        while (!p.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            peakConnections = Math.max(peakConnections, ProcStats.connectionsTo(azurite.port()));
        }
        int exit = p.exitValue();
        double seconds = (System.nanoTime() - start) / 1e9;
        double az = azurite.cpuSeconds() - az0;
        double machine = ProcStats.machineBusySeconds() - machine0;
        if (exit != 0) {
            throw new IOException("rclone sync exited with " + exit + "; see " + log);
        }
        String[] t = Files.readString(timeFile).trim().split("\\s+");
        return new Run(
                seconds,
                Double.parseDouble(t[1]) + Double.parseDouble(t[2]),
                Long.parseLong(t[3]) / 1024.0,
                az,
                machine,
                peakConnections);
    }
}
