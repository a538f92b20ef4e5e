package dev.autoimport.job.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** CPU time and memory of processes, read from {@code /proc} and the JVM's management beans. */
final class ProcStats {

    /** Linux reports utime and stime in clock ticks; 100 per second on every mainstream kernel. */
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    private ProcStats() {}

    /** User plus system CPU seconds a process has used so far (0 when it is gone). */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may contain spaces: count fields after its ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            return (utime + stime) / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** This JVM's CPU seconds (all threads), from the operating-system bean. */
    static double ownCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean)
                                ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
    }

    /** A field of {@code /proc/<pid>/status} in MiB, e.g. {@code VmRSS} or {@code VmHWM}. */
    static double statusMib(long pid, String field) {
        try {
            for (String line :
                    Files.readAllLines(Paths.get("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    String kb = line.substring(field.length() + 1).trim().split("\\s+")[0];
                    return Long.parseLong(kb) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return 0;
    }

    /** CPU seconds all processes of the machine have used so far (busy time of every core). */
    static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 7; i++) {
                if (i != 4 && i != 5) { // idle, iowait; steal (8) is not counted
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Established TCP connections to {@code 127.0.0.1:port}, counted on the client side (from any
     * process; Java's sockets are IPv6 ones with a mapped IPv4 address): how many connections the
     * one client running at the time keeps open to Azurite.
     */
    static int connectionsTo(int port) {
        return connectionsTo("/proc/net/tcp", String.format("0100007F:%04X", port))
                + connectionsTo(
                        "/proc/net/tcp6",
                        String.format("0000000000000000FFFF00000100007F:%04X", port));
    }

    private static int connectionsTo(String table, String remote) {
        int n = 0;
        try {
            for (String line : Files.readAllLines(Paths.get(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[2].equals(remote) && f[3].equals("01")) {
                    n++;
                }
            }
        } catch (IOException | RuntimeException e) {
            return n;
        }
        return n;
    }

    static long ownPid() {
        return ProcessHandle.current().pid();
    }

    /**
     * Resets this process's peak resident set size ({@code VmHWM}) and the heap pools' peak usage,
     * so that the next reading covers only what follows.
     */
    static void resetOwnPeaks() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // Older kernels or restricted containers: the peak then covers the whole process.
        }
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** Sum of the heap pools' peak usage since the last reset, in MiB (an upper bound). */
    static double ownPeakHeapMib() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes / (1024.0 * 1024.0);
    }
}
