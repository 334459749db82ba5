package dev.idem.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The waits between a request's tries, and how {@code Retry-After} is read into them. */
class RetryWaitTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void retryAfterIsSecondsOrAnHttpDateAndNothingElse() {
    assertThat(Exchange.retryAfter("120", NOW)).contains(Duration.ofMinutes(2));
    assertThat(Exchange.retryAfter(" 0 ", NOW)).contains(Duration.ZERO);
    assertThat(Exchange.retryAfter("-5", NOW)).contains(Duration.ZERO);
    assertThat(Exchange.retryAfter("Mon, 07 Dec 2026 10:01:30 GMT", NOW))
        .contains(Duration.ofSeconds(90));
    assertThat(Exchange.retryAfter("Mon, 07 Dec 2026 09:00:00 GMT", NOW)).contains(Duration.ZERO);
    assertThat(Exchange.retryAfter("soon", NOW)).isEmpty();
    assertThat(Exchange.retryAfter("99999999999999999999", NOW)).isEmpty();
  }

  @Test
  void aWaitIsNeverZeroNorLongerThanTwoMinutes() {
    // Retry-After: 0 (or a date past) once must not make every later try immediate
    assertThat(Dispatch.capped(Duration.ZERO)).isEqualTo(Duration.ofMillis(100));
    assertThat(Dispatch.capped(Duration.ZERO.multipliedBy(2))).isEqualTo(Duration.ofMillis(100));
    assertThat(Dispatch.capped(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    // a 409's or 429's Retry-After of an hour waits two minutes, then tries again
    assertThat(Dispatch.capped(Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(2));
  }
}
