package dev.idem.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitTest {
  @Test
  void startsAreSpacedByOneOverTheRate() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    RateLimit limit = new RateLimit(10, now::get); // 10/s: one start every 100 ms
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      limit.acquire(waits::add);
    }
    assertThat(waits) // the first starts at once, and is not asked to wait
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300));
    now.addAndGet(Duration.ofSeconds(2).toNanos()); // idle for a while: no burst is saved up
    waits.clear();
    limit.acquire(waits::add);
    limit.acquire(waits::add);
    assertThat(waits).containsExactly(Duration.ofMillis(100));
  }

  @Test
  void noLimitNeverWaits() throws Exception {
    List<Duration> waits = new ArrayList<>();
    RateLimit none = new RateLimit(0, () -> 0L);
    for (int i = 0; i < 100; i++) {
      none.acquire(waits::add);
    }
    assertThat(waits).isEmpty();
  }
}
