package dev.idem.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import dev.idem.IdemException;
import dev.idem.TransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetrierTest {
  private static final RetryPolicy POLICY =
      new RetryPolicy(4, Duration.ofMillis(100), Duration.ofMillis(250));

  private final List<Duration> waits = new ArrayList<>();
  private final Retrier retrier = new Retrier(POLICY, waits::add, 42);

  @Test
  void aTransientFailureIsRetriedWithThePolicysJitteredBackoffThroughTheInjectedSleeper() {
    AtomicInteger calls = new AtomicInteger();
    String result =
        retrier.call(
            "read",
            () -> {
              if (calls.incrementAndGet() < 3) {
                throw new TransientException("connection lost", null);
              }
              return "ok";
            });
    assertThat(result).isEqualTo("ok");
    assertThat(calls).hasValue(3);
    Random same = new Random(42);
    assertThat(waits).containsExactly(POLICY.backoff(1, same), POLICY.backoff(2, same));
  }

  @Test
  void aDataErrorIsNeverRetried() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                retrier.call(
                    "load",
                    () -> {
                      calls.incrementAndGet();
                      throw new DataException("bad value");
                    }))
        .isInstanceOf(DataException.class)
        .hasMessage("bad value");
    assertThat(calls).hasValue(1);
    assertThat(waits).isEmpty();
  }

  @Test
  void afterTheLastAttemptItGivesUpSayingWhatAndWhy() {
    TransientException last = new TransientException("still down", null);
    assertThatThrownBy(
            () ->
                retrier.call(
                    "prepare db",
                    () -> {
                      throw last;
                    }))
        .isExactlyInstanceOf(IdemException.class)
        .hasMessage("prepare db: gave up after 4 attempts: still down")
        .hasCause(last);
    assertThat(waits)
        .hasSize(3)
        .allSatisfy(w -> assertThat(w).isBetween(Duration.ZERO, Duration.ofMillis(250)));
  }

  @Test
  void anAttemptKnowsItsNumberAndEachRetryIsToldBeforeItsWait() {
    List<String> told = new ArrayList<>();
    assertThatThrownBy(
            () ->
                retrier.call(
                    attempt -> {
                      throw new TransientException("attempt " + attempt, null);
                    },
                    (attempt, wait, failure) ->
                        told.add(attempt + ":" + failure.getMessage() + ":" + waits.size())))
        .isInstanceOfSatisfying(
            Retrier.GaveUp.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(4);
              assertThat(e).hasMessage("gave up after 4 attempts: attempt 4");
              assertThat(e.getCause()).hasMessage("attempt 4");
            });
    assertThat(told).containsExactly("1:attempt 1:0", "2:attempt 2:1", "3:attempt 3:2");
  }

  @Test
  void oneAttemptPolicyNeverWaits() {
    Retrier once = new Retrier(RetryPolicy.NONE, waits::add, 1);
    assertThatThrownBy(
            () ->
                once.call(
                    "x",
                    () -> {
                      throw new TransientException("down", null);
                    }))
        .hasMessage("x: gave up after 1 attempts: down");
    assertThat(waits).isEmpty();
  }

  @Test
  void anInterruptedWaitStopsTheRetries() {
    Retrier interrupted =
        new Retrier(
            POLICY,
            d -> {
              throw new InterruptedException();
            },
            1);
    try {
      assertThatThrownBy(
              () ->
                  interrupted.call(
                      attempt -> {
                        throw new TransientException("down", null);
                      },
                      Retrier.Retried.QUIETLY))
          .isInstanceOf(Retrier.Interrupted.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
