package dev.switchboard.storage;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** A database failure: never the client's fault, so it maps to a 5xx and is logged. */
public final class StorageException extends RuntimeException {
    public StorageException(SQLException cause) {
        super(cause.getMessage(), cause);
    }

    /**
     * Whether the database could not be reached (no connection, or it is shutting down), rather than a statement
     * failing: the API answers 503, worth retrying, and nothing was stored.
     */
    public boolean isUnavailable() {
        if (getCause() instanceof SQLTransientConnectionException) return true;
        String state = getCause() instanceof SQLException sql ? sql.getSQLState() : null;
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }
}
