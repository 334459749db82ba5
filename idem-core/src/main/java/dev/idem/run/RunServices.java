package dev.idem.run;

import dev.idem.fault.FaultInjector;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * The runtime services a runner uses, passed in rather than global so that time, crashes and
 * retries are deterministic under test (Flink's InitContext).
 *
 * @param owner   identifies this process in lease records ({@code host:pid:nonce})
 * @param leaseTtl how long a claimed window stays reserved without renewal
 */
public record RunServices(Clock clock, FaultInjector faults, RetryPolicy retry, Sleeper sleeper, long seed, String owner, Duration leaseTtl) {
  public RunServices {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(faults, "faults");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(sleeper, "sleeper");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(leaseTtl, "leaseTtl");
  }

  /** Waits between retries; tests pass one that does not sleep. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  public static RunServices defaults() {
    return new RunServices(Clock.systemUTC(), FaultInjector.NONE, RetryPolicy.DEFAULT, d -> Thread.sleep(d.toMillis()),
        System.nanoTime(), processOwner(), Duration.ofMinutes(10));
  }

  public RunServices withFaults(FaultInjector faults) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl);
  }

  public RunServices withClock(Clock clock) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl);
  }

  public RunServices withOwner(String owner) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl);
  }

  public RunServices withRetry(RetryPolicy retry) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl);
  }

  public RunServices withLeaseTtl(Duration leaseTtl) {
    return new RunServices(clock, faults, retry, sleeper, seed, owner, leaseTtl);
  }

  /** {@code host:pid:nonce}, unique to this process. */
  public static String processOwner() {
    String runtime = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    return runtime.replace('@', ':') + ":" + UUID.randomUUID().toString().substring(0, 8);
  }
}
