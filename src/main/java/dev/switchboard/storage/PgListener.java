package dev.switchboard.storage;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * PostgreSQL's LISTEN on a connection of its own (pgjdbc delivers notifications only to a connection that polls for
 * them, so it is not the pool's): each notification is handed to the handler of its channel. When the connection is
 * lost it is opened again; meanwhile the nodes' polling (claims, event waits, stop checks) is the fallback.
 */
final class PgListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PgListener.class);
    private static final int POLL_MS = 500;

    private final PostgresUrl url;
    private final Map<String, Consumer<String>> handlers = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile Connection connection;
    private volatile boolean listeningToAll;
    private Thread thread;

    PgListener(PostgresUrl url) { this.url = url; }

    synchronized void listen(String channel, Consumer<String> handler) {
        handlers.put(channel, handler);
        listeningToAll = false;
        if (thread == null) {
            thread = Thread.ofPlatform().name("switchboard-pg-listener").daemon().start(this::loop);
        }
    }

    private void loop() {
        while (!closed) {
            try {
                Connection c = connection;
                if (c == null || !listeningToAll) {
                    c = c != null ? c : url.connect();
                    connection = c;
                    // Set first: a channel registered while these LISTENs run clears it, and is listened to next time.
                    listeningToAll = true;
                    try (Statement st = c.createStatement()) {
                        for (String channel : handlers.keySet()) st.execute("LISTEN " + channel);
                    }
                }
                PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(POLL_MS);
                if (got == null) continue;
                for (PGNotification n : got) {
                    Consumer<String> handler = handlers.get(n.getName());
                    if (handler == null) continue;
                    try {
                        handler.accept(n.getParameter());
                    } catch (RuntimeException e) {
                        log.warn("A {} notification's handler failed", n.getName(), e);
                    }
                }
            } catch (SQLException e) {
                if (closed) return;
                log.warn("Listening to the database failed ({}); reconnecting", e.getMessage());
                closeQuietly();
                sleep();
            }
        }
    }

    PostgresUrl url() { return url; }

    private void closeQuietly() {
        Connection c = connection;
        connection = null;
        listeningToAll = false;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            try {
                thread.join(2 * POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly();
    }
}
