package dev.autoimport.connector.lustre;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Root-only file system set-ups (tmpfs mounts, immutable directories) that tests skip without. */
final class ShellCommands {

    private ShellCommands() {}

    /** Runs a command; true if it exited with 0. */
    static boolean run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a command that must succeed. */
    static void runOrFail(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
