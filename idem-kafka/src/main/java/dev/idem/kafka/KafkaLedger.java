package dev.idem.kafka;

import dev.idem.kafka.LedgerRecords.Marker;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Ledger;
import dev.idem.ledger.Presence;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ledger of a Kafka destination: one marker per window in the compacted ledger topic, the
 * latest of its key standing. A runner's answers come from the markers its pipeline's producer read
 * right after {@code initTransactions()}, kept up to date by its own commits (no other producer can
 * add any while it is not fenced). A process that only looks ({@code idem status}, {@code idem
 * dlq}) reads the topic up to its last stable offset and fences nobody.
 *
 * <p>Claims are kept in this process: between processes the transactional id is the lease. A window
 * shows RUNNING nowhere, since nothing is written when it is claimed; it shows DONE or FAILED once
 * its transaction commits. Dead letters live in a second compacted topic; which ones were replayed
 * follows from the window's marker, which names the attempt whose letters stand (letters of earlier
 * attempts were replayed when that attempt ended, which is the time shown).
 */
final class KafkaLedger implements Ledger {
  private final KafkaDestination destination;

  /** The runners of this process that have entered and not yet finished. */
  private final Map<String, Integer> present = new ConcurrentHashMap<>();

  KafkaLedger(KafkaDestination destination) {
    this.destination = destination;
  }

  @Override
  public Optional<WindowState> state(String pipeline, String windowId) {
    return Optional.ofNullable(markers(pipeline).get(windowId)).map(Marker::state);
  }

  @Override
  public List<WindowState> states(String pipeline) {
    List<WindowState> all = new ArrayList<>();
    new TreeMap<>(markers(pipeline)).values().forEach(m -> all.add(m.state()));
    return all;
  }

  /**
   * The producer's markers when this process runs the pipeline (and is not fenced), else a snapshot
   * of the topic.
   */
  private Map<String, Marker> markers(String pipeline) {
    PipelineProducer producer = destination.existingProducer(pipeline);
    if (producer != null && producer.opened()) {
      return producer.markers();
    }
    return destination.topics().markers(pipeline, LedgerTopics.End.STABLE);
  }

  @Override
  public Optional<Lease> claim(String pipeline, String windowId, String owner, Duration ttl) {
    return destination.producer(pipeline).claim(windowId, owner, ttl, this::alive);
  }

  /** Claims live in this process, so a runner is alive while it is present here. */
  @Override
  public Presence enter(String owner) {
    present.merge(owner, 1, Integer::sum);
    return Presence.endingWith(
        () -> present.computeIfPresent(owner, (o, n) -> n == 1 ? null : n - 1));
  }

  @Override
  public boolean alive(String owner) {
    return owner != null && present.containsKey(owner);
  }

  @Override
  public boolean renew(Lease lease, Duration ttl) {
    return destination.producer(lease.pipeline()).renew(lease, ttl);
  }

  @Override
  public void release(Lease lease) {
    destination.producer(lease.pipeline()).release(lease);
  }

  @Override
  public void fail(Lease lease, String error, WindowCounts counts, List<DeadLetter> letters) {
    destination.producer(lease.pipeline()).fail(lease, error, counts, letters);
  }

  @Override
  public List<DeadLetter> deadLetters(
      String pipeline, Optional<String> windowId, boolean includeReplayed) {
    Map<String, Marker> markers = markers(pipeline);
    List<DeadLetter> out = new ArrayList<>();
    for (DeadLetter stored : destination.topics().letters(pipeline)) {
      if (windowId.isPresent() && !windowId.get().equals(stored.windowId())) {
        continue;
      }
      Marker m = markers.get(stored.windowId());
      boolean replayed = m != null && stored.token() < m.lettersToken();
      if (replayed && !includeReplayed) {
        continue;
      }
      out.add(
          replayed
              ? new DeadLetter(
                  stored.windowId(),
                  stored.token(),
                  stored.seq(),
                  stored.position(),
                  stored.reason(),
                  stored.raw(),
                  stored.rawBytes(),
                  stored.truncated(),
                  stored.runId(),
                  stored.createdAt(),
                  m.lettersSince(),
                  m.lettersRun())
              : stored);
    }
    out.sort(
        Comparator.comparing(DeadLetter::windowId)
            .thenComparingLong(DeadLetter::token)
            .thenComparingLong(DeadLetter::seq));
    return out;
  }

  @Override
  public List<String> windowsWithOpenDeadLetters(String pipeline) {
    TreeSet<String> windows = new TreeSet<>();
    deadLetters(pipeline, Optional.empty(), false).forEach(l -> windows.add(l.windowId()));
    return new ArrayList<>(windows);
  }

  @Override
  public int purgeDeadLetters(String pipeline, Instant before) {
    List<DeadLetter> old =
        destination.topics().letters(pipeline).stream()
            .filter(l -> l.createdAt() != null && l.createdAt().isBefore(before))
            .toList();
    destination.deleteLetters(pipeline, old);
    return old.size();
  }

  /**
   * Forgets windows with a tombstone for each marker, in a transaction of the pipeline's producer:
   * a runner of the pipeline running now is fenced, and the next run produces the windows again
   * (their records already in the topic stay there).
   */
  @Override
  public int reset(String pipeline, Optional<String> windowId) {
    return destination.producer(pipeline).reset(windowId);
  }
}
