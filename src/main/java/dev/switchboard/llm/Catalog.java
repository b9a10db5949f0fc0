package dev.switchboard.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A provider's models: the declared list (providers file) when there is one, else the provider's own listing
 * (cached, fetched with a short timeout on first use, never at start-up), else a built-in list.
 */
final class Catalog {
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    /** How to list a provider's models: the request to send and how to read model ids from the answer. */
    record Listing(String url, Map<String, String> headers, Function<JsonNode, List<String>> ids) {}

    private record Snapshot(List<ProviderRegistry.ModelInfo> models, boolean authoritative, Instant at) {}

    private final Optional<List<String>> declared;
    private final Listing listing;
    private final List<String> builtIn;
    private final boolean allowAnyModel;
    private final HttpClient http;
    private final Clock clock;
    private volatile Snapshot snapshot;

    Catalog(Optional<List<String>> declared, Listing listing, List<String> builtIn, boolean allowAnyModel,
            HttpClient http, Clock clock) {
        this.declared = declared;
        this.listing = listing;
        this.builtIn = List.copyOf(builtIn);
        this.allowAnyModel = allowAnyModel;
        this.http = http;
        this.clock = clock;
    }

    List<ProviderRegistry.ModelInfo> models() {
        return current().models();
    }

    /**
     * Whether a model may be asked for. Any model is allowed when the provider says so, or when the only list we
     * have is our built-in guess (the provider will answer for itself).
     */
    boolean accepts(String model) {
        Snapshot s = current();
        return allowAnyModel || !s.authoritative() || s.models().stream().anyMatch(m -> m.modelId().equals(model));
    }

    private Snapshot current() {
        if (declared.isPresent()) {
            return new Snapshot(infos(declared.get()), true, Instant.MAX);
        }
        Snapshot s = snapshot;
        if (s == null || s.at().plus(TTL).isBefore(clock.instant())) {
            s = fetch();
            snapshot = s;
        }
        return s;
    }

    private Snapshot fetch() {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(listing.url())).timeout(TIMEOUT).GET();
            listing.headers().forEach(b::header);
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() == 200) {
                List<String> ids = listing.ids().apply(Json.tree(res.body()));
                if (!ids.isEmpty()) return new Snapshot(infos(ids), true, clock.instant());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // unreachable or unreadable listing: the built-in list stands in
        }
        return new Snapshot(infos(builtIn), false, clock.instant());
    }

    private static List<ProviderRegistry.ModelInfo> infos(List<String> ids) {
        return ids.stream().map(id -> new ProviderRegistry.ModelInfo(id, id, 1, "")).toList();
    }

    /** Reads {@code field[].key} from a listing answer, dropping a prefix (Gemini names models "models/…"). */
    static Function<JsonNode, List<String>> idsAt(String field, String key, String dropPrefix) {
        return body -> {
            java.util.ArrayList<String> ids = new java.util.ArrayList<>();
            for (JsonNode m : body.path(field)) {
                String id = m.path(key).asText("");
                if (id.startsWith(dropPrefix)) id = id.substring(dropPrefix.length());
                if (!id.isEmpty()) ids.add(id);
            }
            return ids;
        };
    }
}
