package dev.switchboard.llm;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ProviderHttpTest {
    @Test
    void retryAfterIsSecondsOrAnHttpDate() {
        assertThat(ProviderHttp.retryAfter(Optional.of("7"))).contains(Duration.ofSeconds(7));
        String inTenSeconds = ZonedDateTime.now().plusSeconds(10).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(ProviderHttp.retryAfter(Optional.of(inTenSeconds)).orElseThrow()).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
        assertThat(ProviderHttp.retryAfter(Optional.of("soon"))).isEmpty();
        assertThat(ProviderHttp.retryAfter(Optional.empty())).isEmpty();
    }
}
