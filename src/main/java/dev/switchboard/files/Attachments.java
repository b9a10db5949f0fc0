package dev.switchboard.files;

import dev.switchboard.config.Config;
import dev.switchboard.net.NetworkGuard;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches and reads the files attached to a run ({@code input.files}), each on its own virtual thread. A URL of a file
 * uploaded to this server ({@code /v1/files/{id}}, relative or absolute) is read from the store when the file belongs
 * to the run's organization; any other URL is fetched through the network guard (private-network rule, size and time
 * caps). A file that cannot be fetched or read becomes a per-file error; it never fails the others.
 */
public final class Attachments {
    private static final Pattern OWN_FILE = Pattern.compile("^(?:https?://[^/]+)?/v1/files/([A-Za-z0-9_-]+)/?$");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final FileStore files;
    private final NetworkGuard guard;
    private final Config.Files limits;

    public Attachments(FileStore files, NetworkGuard guard, Config.Files limits) {
        this.files = files;
        this.guard = guard;
        this.limits = limits;
    }

    public List<Attachment> fetch(String organizationId, List<String> urls) throws InterruptedException {
        try (var each = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Attachment>> pending = new ArrayList<>();
            for (String url : urls) pending.add(each.submit(() -> fetchOne(organizationId, url)));
            List<Attachment> out = new ArrayList<>();
            for (int i = 0; i < urls.size(); i++) {
                try {
                    out.add(pending.get(i).get());
                } catch (ExecutionException e) {
                    out.add(Attachment.failed(urls.get(i), null, null, 0, "the file could not be fetched: " + e.getCause()));
                }
            }
            return out;
        }
    }

    /** One file, fetched and read (knowledge-base documents come through here too). */
    public Attachment fetchOne(String organizationId, String url) throws InterruptedException {
        Matcher own = OWN_FILE.matcher(url.trim());
        if (own.matches()) {
            Optional<StoredFile> stored = files.find(organizationId, own.group(1));
            if (stored.isPresent()) {
                StoredFile f = stored.get();
                return read(url, f.name(), Optional.ofNullable(f.contentType()), files.read(organizationId, f.id()));
            }
            if (url.startsWith("/")) {
                return Attachment.failed(url, null, null, 0, "no uploaded file " + own.group(1) + " in this organization");
            }
        }
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            return Attachment.failed(url, null, null, 0, "not a valid URL");
        }
        String name = nameOf(uri);
        try {
            NetworkGuard.Response res = guard.get(uri, Map.of(),
                    new NetworkGuard.Limits(CONNECT_TIMEOUT, limits.fetchTimeout(), limits.maxBytes()));
            if (res.status() / 100 != 2) {
                return Attachment.failed(url, name, null, 0, "fetching the file answered HTTP " + res.status());
            }
            String finalName = res.header("content-disposition").flatMap(Attachments::filename).orElse(nameOf(res.uri()));
            return read(url, finalName, res.header("content-type"), res.body());
        } catch (NetworkGuard.Refused e) {
            return Attachment.failed(url, name, null, 0, e.getMessage());
        } catch (java.net.http.HttpTimeoutException e) {
            return Attachment.failed(url, name, null, 0, "fetching the file took longer than " + limits.fetchTimeout().toSeconds() + " s");
        } catch (IOException e) {
            String why = e.getMessage() != null && e.getMessage().contains("larger than")
                    ? "the file is larger than " + limits.maxBytes() + " bytes"
                    : "the file could not be fetched: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            return Attachment.failed(url, name, null, 0, why);
        }
    }

    private static Attachment read(String url, String name, Optional<String> declaredType, byte[] bytes) {
        return switch (FileContents.read(bytes, name, declaredType)) {
            case FileContents.Read.Text t -> Attachment.text(url, name, t.type(), bytes.length, t.text());
            case FileContents.Read.Image i -> Attachment.image(url, name, i.type(), bytes.length,
                    Base64.getEncoder().encodeToString(bytes));
            case FileContents.Read.Unreadable u -> Attachment.failed(url, name, u.type(), bytes.length, u.why());
        };
    }

    private static String nameOf(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.isBlank() ? uri.getHost() : last;
    }

    private static Optional<String> filename(String contentDisposition) {
        Matcher m = Pattern.compile("filename\\*?=(?:UTF-8'')?\"?([^\";]+)\"?", Pattern.CASE_INSENSITIVE).matcher(contentDisposition);
        return m.find() ? Optional.of(m.group(1).trim()) : Optional.empty();
    }
}
