package dev.idem.kafka;

import dev.idem.kafka.LedgerRecords.Marker;
import dev.idem.ledger.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The leases of one pipeline's windows held by the runners of this process. They only keep those
 * runners apart: across processes the transactional id is the lease (see {@link PipelineProducer}).
 * A token is greater than the window's marker token and than every token issued here before, so a
 * later claim always fences an earlier one.
 */
final class ProcessLeases {
  private final String pipeline;
  private final Clock clock;
  private final Map<String, Marker> markers;
  private final Map<String, Lease> claims = new ConcurrentHashMap<>();
  private final Map<String, Long> issued = new ConcurrentHashMap<>();

  /** {@code markers} is the producer's live view of the ledger, read at each claim. */
  ProcessLeases(String pipeline, Clock clock, Map<String, Marker> markers) {
    this.pipeline = pipeline;
    this.clock = clock;
    this.markers = markers;
  }

  /** Claims a window unless a live runner ({@code alive}) holds an unexpired lease on it. */
  synchronized Optional<Lease> claim(
      String windowId, String owner, Duration ttl, Predicate<String> alive) {
    Instant now = clock.instant();
    Lease held = claims.get(windowId);
    if (held != null
        && held.expires().isAfter(now)
        && !held.owner().equals(owner)
        && alive.test(held.owner())) {
      return Optional.empty();
    }
    Marker m = markers.get(windowId);
    // a window never seen (or reset) starts from a token no earlier lease of it can hold
    long first =
        m != null
            ? m.state().token() + 1
            : now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    long token = Math.max(first, issued.getOrDefault(windowId, 0L) + 1);
    issued.put(windowId, token);
    Lease lease =
        new Lease(pipeline, windowId, owner, token, now.plus(ttl), m == null ? null : m.state());
    claims.put(windowId, lease);
    return Optional.of(lease);
  }

  /** Extends a lease still held; never once {@code fenced} says the producer was fenced. */
  synchronized boolean renew(Lease lease, Duration ttl, BooleanSupplier fenced) {
    Lease held = claims.get(lease.windowId());
    if (held == null || held.token() != lease.token() || fenced.getAsBoolean()) {
      return false;
    }
    claims.put(
        lease.windowId(),
        new Lease(
            pipeline,
            lease.windowId(),
            lease.owner(),
            lease.token(),
            clock.instant().plus(ttl),
            lease.previous()));
    return true;
  }

  synchronized void release(Lease lease) {
    Lease held = claims.get(lease.windowId());
    if (held != null && held.token() == lease.token()) {
      claims.remove(lease.windowId());
    }
  }

  /** Whether the lease is still the window's lease in this process. */
  boolean holds(Lease lease) {
    Lease held = claims.get(lease.windowId());
    return held != null && held.token() == lease.token();
  }

  /** Whether a later claim in this process took the window over from the lease. */
  boolean claimedAfter(Lease lease) {
    Lease held = claims.get(lease.windowId());
    return held != null && held.token() > lease.token();
  }
}
