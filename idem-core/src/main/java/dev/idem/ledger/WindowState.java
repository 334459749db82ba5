package dev.idem.ledger;

import java.time.Instant;
import java.util.Locale;

/**
 * One window's row in the ledger; {@code schema} is null until a load recorded one. {@code
 * sourcePosition} is where a stream window's input ended (see {@link
 * dev.idem.destination.Completion}); null for other sources.
 */
public record WindowState(
    String pipeline,
    String windowId,
    WindowStatus status,
    String fingerprint,
    String definitionHash,
    WindowCounts counts,
    String runId,
    String pipelineVersion,
    int attempts,
    String owner,
    long token,
    Instant leaseExpires,
    Instant startedAt,
    Instant finishedAt,
    String error,
    WindowSchema schema,
    String sourcePosition) {

  /** This row with other counts. */
  public WindowState withCounts(WindowCounts other) {
    return new WindowState(
        pipeline,
        windowId,
        status,
        fingerprint,
        definitionHash,
        other,
        runId,
        pipelineVersion,
        attempts,
        owner,
        token,
        leaseExpires,
        startedAt,
        finishedAt,
        error,
        schema,
        sourcePosition);
  }

  /** This row with its lease running until {@code expires}. */
  public WindowState withLeaseExpires(Instant expires) {
    return new WindowState(
        pipeline,
        windowId,
        status,
        fingerprint,
        definitionHash,
        counts,
        runId,
        pipelineVersion,
        attempts,
        owner,
        token,
        expires,
        startedAt,
        finishedAt,
        error,
        schema,
        sourcePosition);
  }

  /** A running window whose lease has expired: its runner died or stalled. */
  public boolean stale(Instant now) {
    return status == WindowStatus.RUNNING && leaseExpires != null && !leaseExpires.isAfter(now);
  }

  public String displayStatus(Instant now) {
    return stale(now) ? "stale" : status.name().toLowerCase(Locale.ROOT);
  }
}
