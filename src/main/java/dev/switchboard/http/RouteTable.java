package dev.switchboard.http;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Every route the server serves, as registered. It answers 405 versus 404 for unmatched requests and is the source
 * of the OpenAPI document's paths.
 */
public final class RouteTable {

    public record Route(String method, String path, Access access, String summary, Pattern pattern) {}

    private final List<Route> routes = new ArrayList<>();

    void add(String method, String path, Access access, String summary) {
        String regex = path.replaceAll("\\{[^/]+}", "[^/]+");
        routes.add(new Route(method, path, access, summary, Pattern.compile(regex)));
    }

    public List<Route> routes() { return List.copyOf(routes); }

    /** The methods served on this path, sorted (empty when no route has it): the Allow header of a 405. */
    List<String> allowedMethods(String path) {
        return routes.stream().filter(r -> r.pattern().matcher(path).matches()).map(Route::method)
                .distinct().sorted().toList();
    }
}
