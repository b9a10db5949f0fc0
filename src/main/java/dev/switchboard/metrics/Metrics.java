package dev.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What a node measures, in Prometheus's text format at {@code GET /metrics}: one method per thing measured, so the
 * rest of the code says what happened and never names a meter. Labels are bounded sets (routes as patterns, statuses,
 * providers and models, tool kinds), never ids.
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger streamsOpen = new AtomicInteger();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    // Meters by their labels, built once: the hot paths (every request, model call, tool call) only look them up.
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("switchboard_sse_streams_open", streamsOpen, AtomicInteger::get)
                .description("Event streams open on this node").register(registry);
    }

    /** For libraries that report to Micrometer themselves (the connection pool). */
    public MeterRegistry registry() { return registry; }

    /** Everything, in Prometheus's text exposition format. */
    public String scrape() { return registry.scrape(); }

    /** A value read when scraped (queue depth, runs in flight). */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    public void httpRequest(String method, String route, int status, long nanos) {
        timer("switchboard_http_requests", "HTTP requests by route pattern and status", true,
                "method", method, "route", route, "status", String.valueOf(status)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A run ended: its kind (agent, workflow), status and stop reason. */
    public void runEnded(String kind, String status, String stopReason) {
        counter("switchboard_runs_ended", "Runs ended, by status and stop reason",
                "kind", kind, "status", status, "stop_reason", stopReason == null ? "none" : stopReason).increment();
    }

    /** From a run's acceptance to its start on a node. */
    public void queueWait(Duration wait) {
        timer("switchboard_queue_wait", "Time from accepting a run to starting it", true).record(wait);
    }

    /** One model call (its retries included): outcome {@code ok} or the failure's kind. */
    public void modelCall(String provider, String model, String outcome, long nanos, int promptTokens,
                          int completionTokens, Double costUsd) {
        timer("switchboard_model_calls", "Model calls by provider, model and outcome", true,
                "provider", provider, "model", model, "outcome", outcome).record(nanos, TimeUnit.NANOSECONDS);
        if (promptTokens > 0) tokens(provider, model, "prompt").increment(promptTokens);
        if (completionTokens > 0) tokens(provider, model, "completion").increment(completionTokens);
        if (costUsd != null && costUsd > 0) {
            counter("switchboard_model_cost_usd", "Cost of model calls in US dollars, from the price table",
                    "provider", provider, "model", model).increment(costUsd);
        }
    }

    private Counter tokens(String provider, String model, String type) {
        return counter("switchboard_model_tokens", "Tokens of model calls", "provider", provider, "model", model, "type", type);
    }

    public void modelRetry(String provider, String reason) {
        counter("switchboard_model_retries", "Model calls retried, by the failure retried",
                "provider", provider, "reason", reason).increment();
    }

    /** A tool call: {@code tool} is a built-in's name, or {@code mcp}, or {@code knowledge}. */
    public void toolCall(String tool, boolean error, long nanos) {
        timer("switchboard_tool_calls", "Tool calls by tool and outcome", false,
                "tool", tool, "outcome", error ? "error" : "ok").record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One webhook attempt; {@code lag} from the delivery's creation to this attempt. */
    public void webhookAttempt(String outcome, Duration lag) {
        timer("switchboard_webhook_attempts", "Webhook delivery attempts by outcome, and their lag", true,
                "outcome", outcome).record(lag);
    }

    private Timer timer(String name, String description, boolean histogram, String... tags) {
        return timers.computeIfAbsent(key(name, tags), k -> {
            Timer.Builder b = Timer.builder(name).description(description).tags(tags);
            return (histogram ? b.publishPercentileHistogram() : b).register(registry);
        });
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(key(name, tags),
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    private static List<String> key(String name, String... tags) {
        String[] all = new String[tags.length + 1];
        all[0] = name;
        System.arraycopy(tags, 0, all, 1, tags.length);
        return Arrays.asList(all);
    }

    /** Counts an event stream as open until the returned handle is closed. */
    public AutoCloseable streamOpened() {
        streamsOpen.incrementAndGet();
        AtomicInteger once = new AtomicInteger();
        return () -> {
            if (once.getAndIncrement() == 0) streamsOpen.decrementAndGet();
        };
    }

    public void close() {
        gc.close();
        registry.close();
    }
}
