package dev.switchboard.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of a benchmark run: markdown tables printed as each is complete, and the same figures as JSON
 * ({@code -Djson=path}). A row is a distribution (n, min, median, p99, max) or a single value or a text.
 */
final class Report {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One measure. {@code n == 0} is a text row; {@code n == 1} a single value. */
    record Row(String measure, String unit, int n, double min, double median, double p99, double max, String text) {
        static Row of(String measure, String unit, List<Double> values) {
            List<Double> sorted = values.stream().filter(v -> !Double.isNaN(v)).sorted().toList();
            if (sorted.isEmpty()) return text(measure, "no data");
            return new Row(measure, unit, sorted.size(), sorted.getFirst(), Bench.percentile(sorted, 50),
                    Bench.percentile(sorted, 99), sorted.getLast(), null);
        }

        static Row value(String measure, String unit, double value) {
            return new Row(measure, unit, 1, value, value, value, value, null);
        }

        static Row text(String measure, String text) {
            return new Row(measure, null, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, text);
        }
    }

    record Table(String scenario, String title, List<Row> rows, List<String> notes) {}

    private final PrintStream out;
    private final List<Table> tables = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final ObjectNode sizes = JSON.createObjectNode();

    Report(PrintStream out) {
        this.out = out;
    }

    static Report toStdout() {
        Report r = new Report(System.out);
        r.out.printf("Switchboard benchmarks, %s, %d cores, %s %s, Java %s%s%n%n", LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"), Bench.quick() ? " (quick sizes)" : "");
        return r;
    }

    /** Notes the sizes a scenario ran with (printed, and kept in the JSON). */
    void sizes(String scenario, Map<String, Object> values) {
        sizes.set(scenario, JSON.valueToTree(values));
        out.println("[" + scenario + "] sizes " + values);
        out.flush();
    }

    void progress(String scenario, String line) {
        out.println("[" + scenario + "] " + line);
        out.flush();
    }

    /** Adds a finished table and prints it. */
    void table(String scenario, String title, List<Row> rows, List<String> notes) {
        Table t = new Table(scenario, title, List.copyOf(rows), List.copyOf(notes));
        synchronized (this) {
            tables.add(t);
        }
        out.println();
        out.println("### " + title);
        out.println();
        if (!t.rows().isEmpty()) {
            out.println("| measure | n | min | median | p99 | max |");
            out.println("|---|---|---|---|---|---|");
        }
        for (Row r : t.rows()) {
            if (r.n() == 0) {
                out.printf("| %s | | %s | | | |%n", r.measure(), r.text());
            } else if (r.n() == 1) {
                out.printf("| %s | 1 | | %s | | |%n", r.measure(), format(r.median(), r.unit()));
            } else {
                out.printf("| %s | %d | %s | %s | %s | %s |%n", r.measure(), r.n(), format(r.min(), r.unit()),
                        format(r.median(), r.unit()), format(r.p99(), r.unit()), format(r.max(), r.unit()));
            }
        }
        if (!t.notes().isEmpty() && !t.rows().isEmpty()) out.println();
        for (String n : t.notes()) out.println(n);
        out.println();
        out.flush();
    }

    void failed(String scenario, Throwable e) {
        failures.add(scenario + ": " + e);
        out.println("[" + scenario + "] FAILED: " + e);
        e.printStackTrace(out);
        out.flush();
    }

    List<Table> tables() { return List.copyOf(tables); }

    List<String> failures() { return List.copyOf(failures); }

    static String format(double v, String unit) {
        if (Double.isNaN(v)) return "—";
        if (unit == null || unit.isEmpty()) return String.format(Locale.ROOT, "%,.0f", v);
        return switch (unit) {
            case "ms" -> String.format(Locale.ROOT, v < 10 ? "%.2f ms" : "%.1f ms", v);
            case "s" -> String.format(Locale.ROOT, "%.2f s", v);
            case "MiB" -> String.format(Locale.ROOT, "%,.0f MiB", v);
            case "%" -> String.format(Locale.ROOT, "%.1f %%", v);
            case "x" -> String.format(Locale.ROOT, "%.2f×", v);
            default -> String.format(Locale.ROOT, v < 100 ? "%,.1f %s" : "%,.0f %s", v, unit);
        };
    }

    /** Writes every figure to {@code -Djson=path} when set; returns the path written, if any. */
    Path writeJsonIfAsked() throws IOException {
        String target = System.getProperty("json", "").trim();
        if (target.isEmpty()) return null;
        Path path = Path.of(target);
        writeJson(path);
        out.println("Figures written to " + path.toAbsolutePath());
        return path;
    }

    void writeJson(Path path) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("date", LocalDate.now().toString());
        ObjectNode machine = root.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("memory_mib", totalMemoryMib());
        root.put("quick", Bench.quick());
        root.set("sizes", sizes.deepCopy());
        ArrayNode list = root.putArray("tables");
        for (Table t : tables()) {
            ObjectNode tn = list.addObject().put("scenario", t.scenario()).put("title", t.title());
            ArrayNode rows = tn.putArray("rows");
            for (Row r : t.rows()) {
                ObjectNode rn = rows.addObject().put("measure", r.measure());
                if (r.n() == 0) {
                    rn.put("text", r.text());
                    continue;
                }
                rn.put("unit", r.unit() == null ? "" : r.unit()).put("n", r.n());
                if (r.n() == 1) {
                    rn.put("value", r.median());
                } else {
                    rn.put("min", r.min()).put("median", r.median()).put("p99", r.p99()).put("max", r.max());
                }
            }
            ArrayNode notes = tn.putArray("notes");
            t.notes().forEach(notes::add);
        }
        ArrayNode failed = root.putArray("failures");
        failures.forEach(failed::add);
        if (path.getParent() != null) Files.createDirectories(path.getParent());
        JSON.writeValue(path.toFile(), root);
    }

    private static long totalMemoryMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        } catch (IOException e) {
            // not Linux
        }
        return -1;
    }
}
