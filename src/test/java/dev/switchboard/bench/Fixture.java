package dev.switchboard.bench;

import java.io.IOException;
import java.util.Map;

/**
 * Where a scenario gets its fake model and server. For the benchmarks, a fresh pair per scenario; for the kit's smoke
 * test, one pair lent to every scenario in turn (a server start costs seconds; the smoke test only checks that the
 * kit works). A scenario sets the model's behaviour itself when it begins.
 */
abstract class Fixture implements AutoCloseable {

    /** A model and a server for one scenario; closing it stops them if they were the scenario's own. */
    interface Lease extends AutoCloseable {
        BenchModel model();

        BenchServer server();

        @Override
        void close();
    }

    /**
     * @param env server settings beyond the fake model; a shared server ignores them, so a scenario run on one must
     *            not need them (the held-concurrency scenario needs more run slots than the default 1,000 only above
     *            1,000 runs)
     */
    abstract Lease open(String scenario, BenchModel.Settings settings, Map<String, String> env) throws IOException;

    @Override
    public void close() {}

    static Fixture fresh() {
        return new Fixture() {
            @Override
            Lease open(String scenario, BenchModel.Settings settings, Map<String, String> env) throws IOException {
                BenchModel model = BenchModel.start(settings);
                BenchServer server;
                try {
                    server = BenchServer.start(scenario, model, env);
                } catch (IOException | RuntimeException e) {
                    model.close();
                    throw e;
                }
                return new Lease() {
                    @Override public BenchModel model() { return model; }

                    @Override public BenchServer server() { return server; }

                    @Override
                    public void close() {
                        try {
                            server.close();
                        } finally {
                            model.close();
                        }
                    }
                };
            }
        };
    }

    /** One model and one server, started on first use, lent to every scenario, stopped when the fixture closes. */
    static Fixture shared() {
        return new Fixture() {
            private BenchModel model;
            private BenchServer server;

            @Override
            synchronized Lease open(String scenario, BenchModel.Settings settings, Map<String, String> env) throws IOException {
                if (model == null) {
                    model = BenchModel.start(settings);
                    server = BenchServer.start("shared", model, Map.of());
                }
                model.settings(settings);
                model.recording(true);
                BenchModel m = model;
                BenchServer s = server;
                return new Lease() {
                    @Override public BenchModel model() { return m; }

                    @Override public BenchServer server() { return s; }

                    @Override public void close() {}
                };
            }

            @Override
            public synchronized void close() {
                if (server != null) server.close();
                if (model != null) model.close();
            }
        };
    }
}
