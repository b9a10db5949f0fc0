package dev.switchboard.webhooks;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a failed delivery is tried again: the configured schedule (growing delays, about 24 h in all by default),
 * each delay spread by ±20 % so that the deliveries of one outage do not all come back at the same instant.
 */
record Backoff(List<Duration> schedule) {

    /** The wait after the given failed attempt of a round (1 = the first), or none when it was the last. */
    Optional<Duration> after(int attemptOfRound) {
        if (attemptOfRound < 1 || attemptOfRound > schedule.size()) return Optional.empty();
        long base = schedule.get(attemptOfRound - 1).toMillis();
        double factor = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Optional.of(Duration.ofMillis(Math.round(base * factor)));
    }
}
