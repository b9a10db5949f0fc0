package dev.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testkit.FileServer;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Knowledge bases: ingestion speed and search latency.
 * <ul>
 *   <li>Ingestion: {@code kb.documents} text documents of {@code kb.pages} pages each (a page is ~3,000 characters of
 *   varied English sentences), served on loopback and added by URL at once; pages per second from the POST to the
 *   last document completed (fetch, read, chunk, embed in-process, store). The embedding model's first load is
 *   taken by a warm-up document first.</li>
 *   <li>Search: a knowledge base of {@code kb.chunks} chunks (100,000), written straight into the server's SQLite
 *   (random unit vectors: ingesting 100,000 real chunks would take minutes of embedding and measure ingestion again),
 *   then {@code kb.queries} searches with top_k 10, timed end to end over HTTP; the first search (which loads the
 *   vectors into memory) is reported apart.</li>
 * </ul>
 */
final class KnowledgeBench {
    static final String ID = "knowledge";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = ("the a river mountain city market price engine rocket bread cat data report "
            + "sales quarter growth weather ocean forest library music garden train station doctor school budget energy "
            + "policy customer order delivery software network server storage memory planet orbit harvest recipe")
            .split(" ");

    public static void main(String[] args) throws Exception {
        Bench.alone(KnowledgeBench::run);
    }

    static void run(Report report, Fixture fixture) throws Exception {
        int documents = Bench.size("kb.documents", 10, 2);
        int pages = Bench.size("kb.pages", 20, 3);
        int chunks = Bench.size("kb.chunks", 100_000, 2_000);
        int queries = Bench.size("kb.queries", 100, 10);
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("documents", documents);
        sizes.put("pages_per_document", pages);
        sizes.put("search_chunks", chunks);
        sizes.put("queries", queries);
        report.sizes(ID, sizes);
        List<Report.Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (Fixture.Lease lease = fixture.open(ID, new BenchModel.Settings(Duration.ZERO, 20, 0), Map.of());
             FileServer files = FileServer.start();
             RawHttp http = lease.server().client()) {
            BenchServer server = lease.server();
            Random random = new Random(42);

            // Warm-up: one small document loads the embedding model.
            String warm = kb(http, "warm-up");
            add(http, warm, List.of(files.put("/kb/warm.txt", text(random, 1).getBytes(StandardCharsets.UTF_8), "text/plain")));
            awaitCompleted(http, warm, 1);

            String kb = kb(http, "ingestion");
            List<String> urls = new ArrayList<>();
            long chars = 0;
            for (int d = 0; d < documents; d++) {
                String t = text(random, pages);
                chars += t.length();
                urls.add(files.put("/kb/doc-" + d + ".txt", t.getBytes(StandardCharsets.UTF_8), "text/plain"));
            }
            long cpu0 = Bench.cpuTicks(server.pid());
            long t0 = System.nanoTime();
            add(http, kb, urls);
            awaitCompleted(http, kb, documents);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpuMs = Bench.cpuMsPer(Bench.cpuTicks(server.pid()) - cpu0, 1);
            long stored = chunkCount(http, kb);
            rows.add(Report.Row.value("ingestion: pages per second (" + documents + " documents × " + pages + " pages)",
                    "pages/s", documents * pages / seconds));
            rows.add(Report.Row.value("ingestion: chunks per second", "chunks/s", stored / seconds));
            rows.add(Report.Row.value("ingestion: server CPU per page", "ms", cpuMs / (documents * pages)));
            notes.add(String.format("Ingestion: %d characters in %d chunks, %.1f s from the POST to the last document completed.",
                    chars, stored, seconds));
            report.progress(ID, String.format("ingested %d pages in %.1f s", documents * pages, seconds));

            // Search at scale: chunks written straight into the database.
            String big = kb(http, "search");
            seed(server, big, chunks, random);
            report.progress(ID, "seeded " + chunks + " chunks");
            String[] questions = {"How did sales grow this quarter?", "When does the train leave the station?",
                    "What is the recipe for bread?", "Which planet has the longest orbit?"};
            long first = timeSearch(http, big, questions[0]);
            List<Double> latencies = new ArrayList<>();
            for (int q = 0; q < queries; q++) latencies.add(timeSearch(http, big, questions[q % questions.length]) / 1e6);
            rows.add(Report.Row.value("search, " + chunks + " chunks, top_k 10: first query (loads the vectors)", "ms", first / 1e6));
            rows.add(Report.Row.of("search, " + chunks + " chunks, top_k 10: latency (embed the query, scan, read the hits)", "ms", latencies));
            rows.add(Report.Row.value("server heap after full GC with the " + chunks + " vectors loaded", "MiB",
                    Bench.mib(Bench.heapAfterGcKb(server.pid()))));
            notes.addAll(server.logSummary());
        }
        report.table(ID, "6. Knowledge bases: ingestion and search", rows, notes);
    }

    private static String kb(RawHttp http, String name) throws Exception {
        RawHttp.Response r = http.send("POST", "/v1/knowledge", "{\"name\":\"" + name + "\"}");
        return JSON.readTree(r.body()).path("id").asText();
    }

    private static void add(RawHttp http, String kb, List<String> urls) throws Exception {
        RawHttp.Response r = http.send("POST", "/v1/knowledge/" + kb + "/documents",
                JSON.writeValueAsString(Map.of("document_urls", urls)));
        if (r.status() != 200) throw new IllegalStateException("adding documents: " + r.status() + " " + r.body());
    }

    private static void awaitCompleted(RawHttp http, String kb, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode items = JSON.readTree(http.send("GET", "/v1/knowledge/" + kb + "/documents?per_page=100", null).body()).path("items");
            int done = 0;
            for (JsonNode d : items) {
                if (d.path("status").asText().equals("failed")) throw new IllegalStateException("ingestion failed: " + d);
                if (d.path("status").asText().equals("completed")) done++;
            }
            if (done == count) return;
            Bench.sleep(50);
        }
        throw new IllegalStateException("ingestion did not finish in 10 minutes");
    }

    private static long chunkCount(RawHttp http, String kb) throws Exception {
        long total = 0;
        for (JsonNode d : JSON.readTree(http.send("GET", "/v1/knowledge/" + kb + "/documents?per_page=100", null).body()).path("items")) {
            total += d.path("chunks_count").asLong();
        }
        return total;
    }

    private static long timeSearch(RawHttp http, String kb, String question) throws Exception {
        long t0 = System.nanoTime();
        RawHttp.Response r = http.send("GET", "/v1/knowledge/" + kb + "/search?top_k=10&search_query="
                + URLEncoder.encode(question, StandardCharsets.UTF_8), null);
        long took = System.nanoTime() - t0;
        if (r.status() != 200 || JSON.readTree(r.body()).size() != 10) throw new IllegalStateException("search: " + r.body());
        return took;
    }

    /** A completed document holding {@code n} chunks with random unit vectors, written in one transaction. */
    private static void seed(BenchServer server, String kb, int n, Random random) throws Exception {
        String url = "jdbc:sqlite:" + server.dataDir().resolve("switchboard.db") + "?busy_timeout=30000";
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            String org;
            try (var st = c.prepareStatement("SELECT organization_id FROM knowledge_bases WHERE id = ?")) {
                st.setString(1, kb);
                var rs = st.executeQuery();
                rs.next();
                org = rs.getString(1);
            }
            try (PreparedStatement doc = c.prepareStatement("""
                    INSERT INTO kb_documents(id, kb_id, organization_id, position, name, document_url, status, chunks_count,
                                             created_at, updated_at)
                    VALUES ('seeded', ?, ?, 1, 'seeded.txt', 'http://example.com/seeded.txt', 'completed', ?, '', '')""")) {
                doc.setString(1, kb);
                doc.setString(2, org);
                doc.setInt(3, n);
                doc.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO kb_chunks(kb_id, document_id, ordinal, content, embedding) VALUES (?, 'seeded', ?, ?, ?)")) {
                for (int i = 0; i < n; i++) {
                    ins.setString(1, kb);
                    ins.setInt(2, i);
                    ins.setString(3, sentence(random, 60));
                    ins.setBytes(4, unitVector(random));
                    ins.addBatch();
                    if (i % 5000 == 4999) ins.executeBatch();
                }
                ins.executeBatch();
            }
            try (var st = c.prepareStatement("UPDATE knowledge_bases SET version = version + 1 WHERE id = ?")) {
                st.setString(1, kb);
                st.executeUpdate();
            }
            c.commit();
        }
    }

    private static byte[] unitVector(Random random) {
        float[] v = new float[384];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
            sum += v[i] * v[i];
        }
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat((float) (x / Math.sqrt(sum)));
        return b.array();
    }

    /** About 3,000 characters per page: paragraphs of sentences made of common words. */
    private static String text(Random random, int pages) {
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < pages; p++) {
            sb.append("# Page ").append(p + 1).append("\n\n");
            for (int para = 0; para < 6; para++) {
                for (int s = 0; s < 5; s++) sb.append(sentence(random, 14)).append(' ');
                sb.append("\n\n");
            }
        }
        return sb.toString();
    }

    private static String sentence(Random random, int words) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < words; w++) {
            if (w > 0) sb.append(' ');
            sb.append(WORDS[random.nextInt(WORDS.length)]);
        }
        sb.setCharAt(0, Character.toUpperCase(sb.charAt(0)));
        return sb.append('.').toString();
    }
}
