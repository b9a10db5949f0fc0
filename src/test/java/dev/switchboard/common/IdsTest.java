package dev.switchboard.common;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class IdsTest {

    @Test
    void timeOrderedIdsAreVersion7UuidsThatSortByTheirMillisecond() {
        UUID earlier = Ids.version7(Instant.parse("2026-12-05T10:00:00.000Z").toEpochMilli());
        UUID later = Ids.version7(Instant.parse("2026-12-05T10:00:00.001Z").toEpochMilli());
        assertThat(earlier.version()).isEqualTo(7);
        assertThat(earlier.variant()).isEqualTo(2);
        assertThat(earlier.getMostSignificantBits() >>> 16).isEqualTo(Instant.parse("2026-12-05T10:00:00Z").toEpochMilli());
        // As text too (the ids are stored and indexed as text).
        assertThat(earlier.toString()).isLessThan(later.toString());
    }

    @Test
    void all74RandomBitsAreDrawn() {
        Set<Long> randA = new HashSet<>();
        long randBOr = 0;
        long randBAnd = -1;
        for (int i = 0; i < 2000; i++) {
            UUID id = Ids.version7(0);
            randA.add(id.getMostSignificantBits() & 0xFFF);
            long randB = id.getLeastSignificantBits() & 0x3FFF_FFFF_FFFF_FFFFL;
            randBOr |= randB;
            randBAnd &= randB;
        }
        // 12 bits in rand_a: 2,000 draws hit well over a thousand of its 4,096 values; every one of rand_b's 62 bits is
        // seen both set and clear.
        assertThat(randA.size()).isGreaterThan(1000);
        assertThat(randBOr).isEqualTo(0x3FFF_FFFF_FFFF_FFFFL);
        assertThat(randBAnd).isZero();
    }

    @Test
    void theyDoNotRepeatWithinOneMillisecond() {
        Ids ids = Ids.timeOrdered(Clock.fixed(Instant.parse("2026-12-05T10:00:00Z"), ZoneOffset.UTC));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) assertThat(seen.add(ids.next())).isTrue();
        assertThat(UUID.fromString(ids.next()).version()).isEqualTo(7);
    }
}
