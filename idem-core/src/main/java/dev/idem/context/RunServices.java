package dev.idem.context;

import dev.idem.fault.FaultInjector;
import dev.idem.retry.Retrier;
import dev.idem.retry.RetryPolicy;
import dev.idem.retry.Sleeper;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * The runtime services a runner uses, passed in rather than global so that time, crashes and
 * retries are deterministic under test (Flink's InitContext). It lives beside {@link RunContext},
 * not with the runner, because the SPI hands it on ({@code SupportsVerification.reopen}) and a
 * destination retries with it ({@link #retrier()}): connectors depend on this package, never on the
 * runner's.
 *
 * @param owner identifies this process in lease records ({@code pid:host:nonce})
 * @param leaseTtl how long a claimed window stays reserved without renewal
 * @param renewal how a lease is kept alive while its window loads
 * @param workers where a destination may run pieces of a window's work (an engine's executors)
 */
public record RunServices(
    Clock clock,
    FaultInjector faults,
    RetryPolicy retry,
    Sleeper sleeper,
    long seed,
    String owner,
    Duration leaseTtl,
    Renewal renewal,
    Workers workers) {
  /**
   * Whether a runner renews its lease while a window loads (tests of stalled processes turn it
   * off).
   */
  public enum Renewal {
    EVERY_THIRD_OF_TTL,
    OFF
  }

  public RunServices {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(faults, "faults");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(sleeper, "sleeper");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    Objects.requireNonNull(renewal, "renewal");
    Objects.requireNonNull(workers, "workers");
  }

  public static RunServices defaults() {
    return new RunServices(
        Clock.systemUTC(),
        FaultInjector.NONE,
        RetryPolicy.DEFAULT,
        Sleeper.THREAD,
        System.nanoTime(),
        processOwner(),
        Duration.ofMinutes(10),
        Renewal.EVERY_THIRD_OF_TTL,
        Workers.IN_PROCESS);
  }

  /**
   * The one way to retry a transient failure: this policy's backoff, this sleeper, jitter seeded by
   * {@link #seed()}.
   */
  public Retrier retrier() {
    return new Retrier(retry, sleeper, seed);
  }

  public RunServices withFaults(FaultInjector faults) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl, renewal, workers);
  }

  public RunServices withClock(Clock clock) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl, renewal, workers);
  }

  public RunServices withOwner(String owner) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl, renewal, workers);
  }

  public RunServices withRetry(RetryPolicy retry) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl, renewal, workers);
  }

  public RunServices withLeaseTtl(Duration leaseTtl) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl, renewal, workers);
  }

  public RunServices withRenewal(Renewal renewal) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl, renewal, workers);
  }

  public RunServices withSleeper(Sleeper sleeper) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl, renewal, workers);
  }

  public RunServices withWorkers(Workers workers) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl, renewal, workers);
  }

  /** {@code pid:host:nonce}, unique to this process. */
  public static String processOwner() {
    String runtime = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    return runtime.replace('@', ':') + ":" + UUID.randomUUID().toString().substring(0, 8);
  }
}
