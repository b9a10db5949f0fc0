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
        Timer.builder("switchboard_http_requests").description("HTTP requests by route pattern and status")
                .tags("method", method, "route", route, "status", String.valueOf(status))
                .publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A run ended: its kind (agent, workflow), status and stop reason. */
    public void runEnded(String kind, String status, String stopReason) {
        Counter.builder("switchboard_runs_ended").description("Runs ended, by status and stop reason")
                .tags("kind", kind, "status", status, "stop_reason", stopReason == null ? "none" : stopReason)
                .register(registry).increment();
    }

    /** From a run's acceptance to its start on a node. */
    public void queueWait(Duration wait) {
        Timer.builder("switchboard_queue_wait").description("Time from accepting a run to starting it")
                .publishPercentileHistogram().register(registry).record(wait);
    }

    /** One model call (its retries included): outcome {@code ok} or the failure's kind. */
    public void modelCall(String provider, String model, String outcome, long nanos, int promptTokens,
                          int completionTokens, Double costUsd) {
        Timer.builder("switchboard_model_calls").description("Model calls by provider, model and outcome")
                .tags("provider", provider, "model", model, "outcome", outcome)
                .publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
        if (promptTokens > 0) tokens(provider, model, "prompt").increment(promptTokens);
        if (completionTokens > 0) tokens(provider, model, "completion").increment(completionTokens);
        if (costUsd != null && costUsd > 0) {
            Counter.builder("switchboard_model_cost_usd").description("Cost of model calls in US dollars, from the price table")
                    .tags("provider", provider, "model", model).register(registry).increment(costUsd);
        }
    }

    private Counter tokens(String provider, String model, String type) {
        return Counter.builder("switchboard_model_tokens").description("Tokens of model calls")
                .tags("provider", provider, "model", model, "type", type).register(registry);
    }

    public void modelRetry(String provider, String reason) {
        Counter.builder("switchboard_model_retries").description("Model calls retried, by the failure retried")
                .tags("provider", provider, "reason", reason).register(registry).increment();
    }

    /** A tool call: {@code tool} is a built-in's name, or {@code mcp}, or {@code knowledge}. */
    public void toolCall(String tool, boolean error, long nanos) {
        Timer.builder("switchboard_tool_calls").description("Tool calls by tool and outcome")
                .tags("tool", tool, "outcome", error ? "error" : "ok").register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One webhook attempt; {@code lag} from the delivery's creation to this attempt. */
    public void webhookAttempt(String outcome, Duration lag) {
        Timer.builder("switchboard_webhook_attempts").description("Webhook delivery attempts by outcome, and their lag")
                .tags("outcome", outcome).publishPercentileHistogram().register(registry).record(lag);
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
