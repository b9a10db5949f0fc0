package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every scenario shares: its sizes (system properties, with smaller defaults under {@code -Dquick=true}),
 * percentiles, and what we read of the server process from outside ({@code /proc} and {@code jcmd}).
 */
final class Bench {
    private Bench() {}

    /** One scenario of the suite: it reports into {@code report} against the fixture's fresh server and model. */
    @FunctionalInterface
    interface Scenario {
        void run(Report report, Fixture fixture) throws Exception;
    }

    /** A scenario run on its own (its class's main): a fresh fixture, the tables, and the JSON when asked for. */
    static void alone(Scenario scenario) throws Exception {
        Report report = Report.toStdout();
        try (Fixture fixture = Fixture.fresh()) {
            scenario.run(report, fixture);
        }
        report.writeJsonIfAsked();
    }

    /** {@code -Dquick=true}: every size not given explicitly takes its small default, for a run of a minute or two. */
    static boolean quick() { return Boolean.getBoolean("quick"); }

    /** A size: the property if set (and not empty), otherwise the full or the quick default. */
    static int size(String property, int full, int quick) {
        String v = System.getProperty(property, "").trim();
        return v.isEmpty() ? (quick() ? quick : full) : Integer.parseInt(v.replace("_", ""));
    }

    static double number(String property, double full, double quick) {
        String v = System.getProperty(property, "").trim();
        return v.isEmpty() ? (quick() ? quick : full) : Double.parseDouble(v);
    }

    static List<Integer> sizes(String property, String full, String quick) {
        String v = System.getProperty(property, "").trim();
        String list = v.isEmpty() ? (quick() ? quick : full) : v;
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
    }

    static boolean flag(String property, boolean dflt) {
        String v = System.getProperty(property, "").trim();
        return v.isEmpty() ? dflt : Boolean.parseBoolean(v);
    }

    // ---- statistics ----

    /** Nearest-rank percentile of sorted values (p in 0..100). */
    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) return Double.NaN;
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static List<Double> millis(Collection<Long> nanos) {
        List<Double> out = new ArrayList<>(nanos.size());
        for (long n : nanos) out.add(n / 1e6);
        return out;
    }

    // ---- the server process, from outside ----

    private static volatile double clockTicks = -1;

    /** Clock ticks per second of /proc/<pid>/stat's times ({@code getconf CLK_TCK}, 100 unless it says otherwise). */
    static double clockTicks() {
        if (clockTicks < 0) {
            double ticks = 100;
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                if (p.waitFor() == 0 && !out.isEmpty()) ticks = Double.parseDouble(out);
            } catch (IOException | NumberFormatException e) {
                // keep 100
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            clockTicks = ticks;
        }
        return clockTicks;
    }

    /** The process's CPU time so far (user + system, all threads), in clock ticks. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * CPU ticks (user + system) so far of each group of the process's live threads, a group being the thread name
     * (/proc's 15-character {@code comm}) without its trailing number: carrier threads of virtual threads,
     * JIT compilers, GC workers and so on. Threads that ended are missing, so the sum may be below the process's.
     */
    static Map<String, Long> cpuTicksByThread(long pid) {
        Map<String, Long> out = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("#?\\d+$", "");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return out;
    }

    /**
     * Where the process's CPU went between two {@link #cpuTicksByThread} readings: the groups with the most, as
     * "name share%" text, for a report's notes.
     */
    static String cpuSplit(Map<String, Long> before, Map<String, Long> after, int top) {
        Map<String, Long> delta = new HashMap<>();
        after.forEach((k, v) -> delta.put(k, v - before.getOrDefault(k, 0L)));
        long total = delta.values().stream().mapToLong(Long::longValue).sum();
        if (total <= 0) return "no CPU recorded";
        StringBuilder s = new StringBuilder();
        delta.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> s.append(s.isEmpty() ? "" : ", ").append('`').append(e.getKey()).append("` ")
                        .append(Math.round(100.0 * e.getValue() / total)).append('%'));
        return s.toString();
    }

    /** Milliseconds of CPU per item for a tick difference. */
    /** The JIT compiler threads' share of the process's CPU between two {@link #cpuTicksByThread} readings, 0 to 1. */
    static double compilerShare(Map<String, Long> before, Map<String, Long> after) {
        long total = 0;
        long compilers = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (d <= 0) continue;
            total += d;
            if (e.getKey().contains("CompilerThre")) compilers += d;
        }
        return total == 0 ? 0 : (double) compilers / total;
    }

    static double cpuMsPer(long ticks, long items) {
        return items == 0 ? Double.NaN : ticks * 1000.0 / clockTicks() / items;
    }

    /** Resident set size in KiB (VmRSS). */
    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
            }
        } catch (IOException e) {
            // the process is gone
        }
        return -1;
    }

    /**
     * Used heap in KiB after a full GC, as jcmd reports it; -1 under {@code -Dheap=false} (each reading starts two
     * jcmd processes, about a second on this machine: the smoke test skips them).
     */
    static long heapAfterGcKb(long pid) {
        if (!flag("heap", true)) return -1;
        jcmd(pid, "GC.run");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static String jcmd(long pid, String command) {
        try {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Times any listening socket on this machine dropped a connection because its accept queue was full
     * (TcpExt ListenOverflows): machine-wide, so only a hint, but a rise during a scenario means some connections
     * waited for a SYN retransmit (a second or more) and the figures carry it.
     */
    static long listenOverflows() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                if (!lines.get(i).startsWith("TcpExt:")) continue;
                List<String> names = List.of(lines.get(i).split(" "));
                String[] values = lines.get(i + 1).split(" ");
                int at = names.indexOf("ListenOverflows");
                return at < 0 ? -1 : Long.parseLong(values[at]);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no such counter
        }
        return -1;
    }

    /** KiB as MiB; NaN for a reading that was not taken (negative). */
    static double mib(long kb) {
        return kb < 0 ? Double.NaN : kb / 1024.0;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The body of a chat call like the one the server sends for a one-line input, for the floor. */
    static String chatBody(String marker, boolean stream) {
        return "{\"model\":\"gpt-4.1\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"system\",\"content\":"
                + "\"You are a helpful assistant.\"},{\"role\":\"user\",\"content\":\"" + marker + "\"}]}";
    }

    /** The first value of a field in a JSON text (a string or a number), or null; crude, for the few fields a benchmark checks. */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(\"([^\"]*)\"|[-0-9.]+)").matcher(json);
        if (!m.find()) return null;
        return m.group(2) != null ? m.group(2) : m.group(1);
    }
}
