package dev.switchboard.common;

import java.util.UUID;
import java.util.function.Supplier;

/** Generates the server's ids; injected so that tests can make them predictable. */
public final class Ids {
    private final Supplier<UUID> source;

    public Ids(Supplier<UUID> source) { this.source = source; }

    public static Ids random() { return new Ids(UUID::randomUUID); }

    public String next() { return source.get().toString(); }
}
