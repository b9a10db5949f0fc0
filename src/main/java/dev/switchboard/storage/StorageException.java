package dev.switchboard.storage;

import java.sql.SQLException;

/** A database failure: never the client's fault, so it maps to a 5xx and is logged. */
public final class StorageException extends RuntimeException {
    public StorageException(SQLException cause) {
        super(cause.getMessage(), cause);
    }
}
