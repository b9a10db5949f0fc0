package dev.switchboard.storage;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL address as operators write it: {@code jdbc:postgresql://host:port/db?user=…&password=…} or
 * {@code postgres://user:password@host:port/db?sslmode=…} (also {@code postgresql://}), as a JDBC URL with the user
 * and password apart (so they never appear in a URL that is logged).
 */
public record PostgresUrl(String jdbcUrl, String user, String password) {

    public static boolean isPostgres(String url) {
        return url.startsWith("jdbc:postgresql:") || url.startsWith("postgres://") || url.startsWith("postgresql://");
    }

    public static PostgresUrl parse(String url) {
        if (url.startsWith("jdbc:postgresql:")) return new PostgresUrl(withParameters(url), null, null);
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            throw new IllegalArgumentException("SWITCHBOARD_DATABASE_URL must be jdbc:postgresql://… or postgres://…");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SWITCHBOARD_DATABASE_URL is not a valid URL (special characters in the "
                    + "password must be percent-encoded)");
        }
        if (uri.getHost() == null) throw new IllegalArgumentException("SWITCHBOARD_DATABASE_URL has no host");
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path
                + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        return new PostgresUrl(withParameters(jdbc), user, password);
    }

    /**
     * Strings are sent untyped, so that JSON text goes into jsonb columns as it does into SQLite's text ones; a short
     * connect timeout, so a database that is away is noticed.
     */
    private static String withParameters(String jdbc) {
        String out = jdbc;
        if (!out.contains("stringtype=")) out += (out.contains("?") ? "&" : "?") + "stringtype=unspecified";
        if (!out.contains("connectTimeout=")) out += "&connectTimeout=5";
        if (!out.contains("ApplicationName=")) out += "&ApplicationName=switchboard";
        return out;
    }

    private static String decode(String s) { return URLDecoder.decode(s, StandardCharsets.UTF_8); }

    /** A connection of its own (not a pool's): for listening, locks, and tools. */
    public java.sql.Connection connect() throws java.sql.SQLException {
        return user == null ? java.sql.DriverManager.getConnection(jdbcUrl)
                : java.sql.DriverManager.getConnection(jdbcUrl, user, password);
    }

    /** The URL with no password in it, for logs. */
    public String safe() { return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***"); }

    @Override
    public String toString() { return "PostgresUrl[" + safe() + "]"; }
}
