package dev.switchboard.common;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Supplier;

/** Generates the server's ids; injected so that tests can make them predictable. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Supplier<UUID> source;

    public Ids(Supplier<UUID> source) { this.source = source; }

    /**
     * Time-ordered UUIDs (version 7, RFC 9562: 48 bits of Unix milliseconds, then 74 random bits). Every table keys its
     * rows by these ids (tasks, runs, their events, steps and queue entries); with random ids each new row landed on a
     * random page of each such index, and every commit rewrote those whole pages in SQLite's log (about 60 KB of log
     * per sync invoke). Ids that grow with time put new rows at the end of each index, on pages the same batch shares.
     * They still cannot be guessed (74 random bits), and every request is scoped to its organization anyway.
     */
    public static Ids timeOrdered(Clock clock) {
        return new Ids(() -> version7(clock.millis()));
    }

    static UUID version7(long unixMillis) {
        // One draw of 10 bytes (the source takes a lock per draw, and ids are made inside the single writer's batch).
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        java.nio.ByteBuffer bits = java.nio.ByteBuffer.wrap(random);
        long randA = bits.getShort() & 0xFFF;
        long randB = bits.getLong() & 0x3FFF_FFFF_FFFF_FFFFL;
        long msb = (unixMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | randA;
        long lsb = 0x8000_0000_0000_0000L | randB;
        return new UUID(msb, lsb);
    }

    public String next() { return source.get().toString(); }
}
