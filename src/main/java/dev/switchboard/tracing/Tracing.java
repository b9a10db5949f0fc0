package dev.switchboard.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * OpenTelemetry spans: one per request, per run (continuing the trace of the request that accepted it, across the
 * queue), per model call and per tool call. Exported over OTLP/HTTP when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set;
 * otherwise the API's no-op implementation, which costs nothing but still carries a trace a client started (its
 * {@code traceparent} header) through to logs and webhooks.
 */
public final class Tracing implements AutoCloseable {
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override public Iterable<String> keys(Map<String, String> carrier) { return carrier.keySet(); }

        @Override public String get(Map<String, String> carrier, String key) { return carrier == null ? null : carrier.get(key); }
    };

    private final Tracer tracer;
    private final SdkTracerProvider provider;

    private Tracing(Tracer tracer, SdkTracerProvider provider) {
        this.tracer = tracer;
        this.provider = provider;
    }

    /** From the standard variables: {@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_SERVICE_NAME}, {@code OTEL_BSP_SCHEDULE_DELAY} (ms). */
    public static Tracing fromEnv(Map<String, String> env) {
        String endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (endpoint == null || endpoint.isBlank()) return off();
        String traces = endpoint.strip().replaceAll("/+$", "") + "/v1/traces";
        long delay = Long.parseLong(env.getOrDefault("OTEL_BSP_SCHEDULE_DELAY", "5000"));
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        io.opentelemetry.api.common.AttributeKey.stringKey("service.name"),
                        env.getOrDefault("OTEL_SERVICE_NAME", "switchboard")))))
                .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(traces).build())
                        .setScheduleDelay(Duration.ofMillis(delay)).build())
                .build();
        OpenTelemetry otel = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
        return new Tracing(otel.getTracer("dev.switchboard"), provider);
    }

    /** Tracing off: spans are no-ops, and a trace a client started still flows through. */
    public static Tracing off() {
        return new Tracing(OpenTelemetry.noop().getTracer("dev.switchboard"), null);
    }

    /** A request's span, continuing the caller's trace when it sent a {@code traceparent} header. */
    public Span startRequest(String name, String traceparent) {
        Context parent = traceparent == null ? Context.root() : W3C.extract(Context.root(), Map.of("traceparent", traceparent), MAP_GETTER);
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
    }

    /** A run's span, a child of the span that accepted it (stored with the run as {@code traceparent}). */
    public Span startRun(String name, String traceparent) {
        Context parent = traceparent == null ? Context.current()
                : W3C.extract(Context.root(), Map.of("traceparent", traceparent), MAP_GETTER);
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.CONSUMER).startSpan();
    }

    /** A child of the current span (a model call, a tool call). */
    public Span startChild(String name, SpanKind kind) {
        return tracer.spanBuilder(name).setSpanKind(kind).startSpan();
    }

    /** The current span's W3C {@code traceparent}, when there is a trace. */
    public static Optional<String> currentTraceparent() {
        if (!Span.current().getSpanContext().isValid()) return Optional.empty();
        Map<String, String> carrier = new HashMap<>();
        W3C.inject(Context.current(), carrier, Map::put);
        return Optional.ofNullable(carrier.get("traceparent"));
    }

    /** The current trace's id, when there is one (for logs). */
    public static Optional<String> currentTraceId() {
        var ctx = Span.current().getSpanContext();
        return ctx.isValid() ? Optional.of(ctx.getTraceId()) : Optional.empty();
    }

    @Override
    public void close() {
        if (provider != null) provider.close();
    }
}
