package dev.switchboard.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The one place that decides whether Switchboard may connect to a URL, and that makes such connections: webhooks,
 * file fetching, MCP servers and the HTTP tool all go through it.
 *
 * <p>Rules: http and https only; every address the host resolves to must be public unless private networks are
 * allowed; every redirect is checked again; connect and read timeouts and a response size cap. The host is resolved
 * once here and the JVM's address cache (which keeps a successful lookup for 30 s) then serves the client's own
 * lookup of the same name, so a DNS answer cannot change between the check and the connection.
 */
public final class NetworkGuard {
    private static final int MAX_REDIRECTS = 5;

    /** A URL Switchboard will not connect to, with the rule that refused it. */
    public static final class Refused extends Exception {
        public Refused(String message) { super(message, null, false, false); }
    }

    /** How much a request may take. */
    public record Limits(Duration connectTimeout, Duration timeout, long maxBytes) {
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(5), Duration.ofSeconds(30), 10L * 1024 * 1024);
    }

    /** An answer, with the URL that finally answered after redirects. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body, URI uri) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }
    }

    private final boolean allowPrivate;
    private final Function<String, InetAddress[]> resolver;
    private final Function<InetAddress, Optional<String>> rules;
    private final HttpClient client;

    public NetworkGuard(boolean allowPrivate) {
        this(allowPrivate, NetworkGuard::resolve, AddressRules::refusal);
    }

    /** For tests: another resolver, or other address rules. */
    NetworkGuard(boolean allowPrivate, Function<String, InetAddress[]> resolver, Function<InetAddress, Optional<String>> rules) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
        this.rules = rules;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Limits.DEFAULT.connectTimeout())
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    public boolean allowsPrivate() { return allowPrivate; }

    /** Checks a URL without connecting: its scheme, its host, and every address the host resolves to. */
    public void check(URI uri) throws Refused {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused("Only http and https URLs are allowed, not '" + uri + "'");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new Refused("The URL '" + uri + "' has no host");
        }
        if (ambiguousNumericHost(host)) {
            throw new Refused("The host '" + host + "' is an IPv4 address in octal or hexadecimal form, which other "
                    + "software reads differently (0177.0.0.1 is 127.0.0.1 to some, 177.0.0.1 to others); write it in "
                    + "plain dotted decimal");
        }
        if (allowPrivate) return;
        InetAddress[] addresses = resolver.apply(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        if (addresses == null || addresses.length == 0) {
            throw new Refused("The host '" + host + "' cannot be resolved");
        }
        for (InetAddress a : addresses) {
            Optional<String> why = rules.apply(a);
            if (why.isPresent()) {
                throw new Refused("The URL '" + uri + "' resolves to " + a.getHostAddress() + ", " + why.get()
                        + "; private networks are refused unless SWITCHBOARD_ALLOW_PRIVATE_NETWORK=true");
            }
        }
    }

    /** GET, following redirects (each checked again), within the limits. */
    public Response get(URI uri, Map<String, String> headers, Limits limits) throws Refused, IOException, InterruptedException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            check(current);
            HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(limits.timeout()).GET();
            headers.forEach(b::header);
            Response res = send(b.build(), limits);
            if (res.status() >= 300 && res.status() < 400 && res.header("location").isPresent()) {
                current = current.resolve(res.header("location").get());
                continue;
            }
            return res;
        }
        throw new Refused("Too many redirects (more than " + MAX_REDIRECTS + ") from '" + uri + "'");
    }

    /** POST a body; redirects are not followed (a redirected webhook is a failed delivery). */
    public Response post(URI uri, Map<String, String> headers, byte[] body, Limits limits)
            throws Refused, IOException, InterruptedException {
        check(uri);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(limits.timeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return send(b.build(), limits);
    }

    private Response send(HttpRequest request, Limits limits) throws IOException, InterruptedException {
        HttpResponse<InputStream> res = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = res.body()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBytes() + 1));
            if (bytes.length > limits.maxBytes()) {
                throw new IOException("The response from " + request.uri() + " is larger than " + limits.maxBytes() + " bytes");
            }
            return new Response(res.statusCode(), res.headers().map(), bytes, request.uri());
        }
    }

    private static final java.util.regex.Pattern NUMERIC_HOST =
            java.util.regex.Pattern.compile("(?i)(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+)){0,3}");

    /** A numeric IPv4 host with a part in octal (a leading 0) or hexadecimal (0x): readers disagree on its address. */
    static boolean ambiguousNumericHost(String host) {
        if (!NUMERIC_HOST.matcher(host).matches()) return false;
        for (String part : host.split("\\.")) {
            if (part.toLowerCase(Locale.ROOT).startsWith("0x") || (part.length() > 1 && part.startsWith("0"))) return true;
        }
        return false;
    }

    private static InetAddress[] resolve(String host) {
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return new InetAddress[0];
        }
    }
}
