package dev.idem.iceberg;

import dev.idem.destination.FencedException;
import dev.idem.iceberg.LedgerState.Entry;
import dev.idem.iceberg.LedgerState.Letters;
import dev.idem.iceberg.LedgerStore.Outcome;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Ledger;
import dev.idem.ledger.Presence;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The ledger of an Iceberg destination, kept in each target table's {@link LedgerStore}. A claim, a
 * renewal, a release and a failure are each one commit of the table's ledger (so a window shows
 * RUNNING while claimed); a window's data commits its DONE entry (see {@link IcebergWindowWrite}).
 * A catalog has no sessions, so there is no presence: a killed runner's lease is taken over when it
 * expires.
 */
final class IcebergLedger implements Ledger {
  private final Function<String, Optional<LedgerStore>> stores;
  private final Clock clock;

  /** The runners of this process that have entered and not yet finished. */
  private final Map<String, Integer> present = new ConcurrentHashMap<>();

  /** Runners of this process that have finished: their leases are taken over at once. */
  private final Set<String> left = ConcurrentHashMap.newKeySet();

  /** {@code stores} finds a pipeline's table, empty when it has none yet. */
  IcebergLedger(Function<String, Optional<LedgerStore>> stores, Clock clock) {
    this.stores = stores;
    this.clock = clock;
  }

  private Map<String, Entry> windows(String pipeline) {
    return stores.apply(pipeline).map(s -> s.read().pipeline(pipeline).windows).orElse(Map.of());
  }

  private LedgerStore store(String pipeline) {
    return stores
        .apply(pipeline)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "pipeline " + pipeline + " has no iceberg table yet (prepare it first)"));
  }

  @Override
  public Presence enter(String owner) {
    present.merge(owner, 1, Integer::sum);
    left.remove(owner);
    return Presence.endingWith(
        () ->
            present.computeIfPresent(
                owner,
                (o, n) -> {
                  if (n == 1) {
                    left.add(o);
                    return null;
                  }
                  return n - 1;
                }));
  }

  /**
   * A runner of this process is alive while present; one that finished here is not. A catalog has
   * no sessions, but a runner's owner name starts with its process id and host ({@code
   * pid:host:...}, see {@code RunServices.processOwner}): a runner of this host whose process is
   * gone is dead, so a killed run's windows are taken over at once by the next run on the same
   * machine. Any other runner is taken to be alive until its lease expires.
   */
  @Override
  public boolean alive(String owner) {
    if (owner == null) {
      return false;
    }
    if (present.containsKey(owner)) {
      return true;
    }
    if (left.contains(owner)) {
      return false;
    }
    return !deadOnThisHost(owner);
  }

  private static final String THIS_HOST = hostOf(ManagementFactory.getRuntimeMXBean().getName());

  private static String hostOf(String pidAtHost) {
    int at = pidAtHost.indexOf('@');
    return at < 0 ? "" : pidAtHost.substring(at + 1);
  }

  /** Whether {@code owner} names a process of this host that no longer runs. */
  static boolean deadOnThisHost(String owner) {
    String[] parts = owner.split(":", 3);
    if (parts.length < 3 || !parts[1].equals(THIS_HOST) || THIS_HOST.isEmpty()) {
      return false;
    }
    try {
      long pid = Long.parseLong(parts[0]);
      return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  @Override
  public Optional<WindowState> state(String pipeline, String windowId) {
    return Optional.ofNullable(windows(pipeline).get(windowId)).map(e -> e.state);
  }

  @Override
  public List<WindowState> states(String pipeline) {
    return windows(pipeline).values().stream().map(e -> e.state).toList();
  }

  @Override
  public Optional<Lease> claim(String pipeline, String windowId, String owner, Duration ttl) {
    return store(pipeline)
        .change(
            "claim of window " + windowId,
            (state, tx) -> {
              Map<String, Entry> windows = state.pipeline(pipeline).windows;
              Entry e = windows.get(windowId);
              Instant now = clock.instant();
              WindowState prev = e == null ? null : e.state;
              if (prev != null
                  && prev.status() == WindowStatus.RUNNING
                  && prev.leaseExpires() != null
                  && prev.leaseExpires().isAfter(now)
                  && !owner.equals(prev.owner())
                  && alive(prev.owner())) {
                return Outcome.none(Optional.<Lease>empty());
              }
              if (e == null) {
                e = new Entry();
                // a window never seen (or reset) starts from a token no earlier lease can hold
                e.issued = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
                windows.put(windowId, e);
              }
              long token = Math.max(e.issued, prev == null ? 0 : prev.token()) + 1;
              e.issued = token;
              e.state =
                  new WindowState(
                      pipeline,
                      windowId,
                      WindowStatus.RUNNING,
                      prev == null ? null : prev.fingerprint(),
                      prev == null ? null : prev.definitionHash(),
                      prev == null ? WindowCounts.NONE : prev.counts(),
                      prev == null ? null : prev.runId(),
                      prev == null ? null : prev.pipelineVersion(),
                      (prev == null ? 0 : prev.attempts()) + 1,
                      owner,
                      token,
                      now.plus(ttl),
                      now,
                      prev == null ? null : prev.finishedAt(),
                      null,
                      prev == null ? null : prev.schema(),
                      prev == null ? null : prev.sourcePosition());
              return Outcome.commit(
                  Optional.of(new Lease(pipeline, windowId, owner, token, now.plus(ttl), prev)));
            });
  }

  /** Whether {@code e} is the window's entry under {@code lease}: running under its token. */
  static boolean holds(Entry e, Lease lease) {
    return e != null
        && e.state.status() == WindowStatus.RUNNING
        && e.state.token() == lease.token();
  }

  @Override
  public boolean renew(Lease lease, Duration ttl) {
    return store(lease.pipeline())
        .change(
            "renewal of window " + lease.windowId(),
            (state, tx) -> {
              Entry e = state.pipeline(lease.pipeline()).windows.get(lease.windowId());
              if (!holds(e, lease)) {
                return Outcome.none(false);
              }
              e.state = e.state.withLeaseExpires(clock.instant().plus(ttl));
              return Outcome.commit(true);
            });
  }

  @Override
  public void release(Lease lease) {
    store(lease.pipeline())
        .change(
            "release of window " + lease.windowId(),
            (state, tx) -> {
              Map<String, Entry> windows = state.pipeline(lease.pipeline()).windows;
              Entry e = windows.get(lease.windowId());
              if (!holds(e, lease)) {
                return Outcome.none(null);
              }
              if (lease.previous() == null) {
                windows.remove(lease.windowId());
              } else {
                e.state = lease.previous();
              }
              return Outcome.commit(null);
            });
  }

  @Override
  public void fail(Lease lease, String error, WindowCounts counts, List<DeadLetter> letters) {
    LedgerStore store = store(lease.pipeline());
    String file = letters.isEmpty() ? null : writeLetters(store, lease, letters);
    store.change(
        "failure of window " + lease.windowId(),
        (state, tx) -> {
          Entry e = state.pipeline(lease.pipeline()).windows.get(lease.windowId());
          if (!holds(e, lease)) {
            throw fenced(lease);
          }
          Instant now = clock.instant();
          String runId = letters.isEmpty() ? e.state.runId() : letters.get(0).runId();
          addLetters(e, lease.token(), file, letters.size(), now, runId);
          WindowState s = e.state;
          e.state =
              new WindowState(
                  s.pipeline(),
                  s.windowId(),
                  WindowStatus.FAILED,
                  s.fingerprint(),
                  s.definitionHash(),
                  counts,
                  runId,
                  s.pipelineVersion(),
                  s.attempts(),
                  s.owner(),
                  s.token(),
                  null,
                  s.startedAt(),
                  now,
                  error,
                  s.schema(),
                  s.sourcePosition());
          return Outcome.commit(null);
        });
  }

  static FencedException fenced(Lease lease) {
    return new FencedException(
        "window "
            + lease.windowId()
            + ": lease "
            + lease.token()
            + " was taken over by another runner; this runner must stop");
  }

  /** Writes an attempt's dead letters to a file of their own; returns its location. */
  static String writeLetters(LedgerStore store, Lease lease, List<DeadLetter> letters) {
    return store.writeJson(
        "letters-"
            + lease.token()
            + "-"
            + Integer.toHexString(lease.windowId().hashCode())
            + ".json",
        letters);
  }

  /**
   * Records an attempt's letters (if any) on the window's entry; the letters of its earlier
   * attempts count as replayed by this one from {@code now}.
   */
  static void addLetters(Entry e, long token, String file, int count, Instant now, String runId) {
    for (Letters l : e.letters) {
      if (l.replayedAt == null) {
        l.replayedAt = now;
        l.replayRunId = runId;
      }
    }
    if (file != null) {
      Letters l = new Letters();
      l.token = token;
      l.file = file;
      l.count = count;
      e.letters.add(l);
    }
  }

  @Override
  public List<DeadLetter> deadLetters(
      String pipeline, Optional<String> windowId, boolean includeReplayed) {
    Optional<LedgerStore> store = stores.apply(pipeline);
    if (store.isEmpty()) {
      return List.of();
    }
    List<DeadLetter> out = new ArrayList<>();
    for (Map.Entry<String, Entry> w : store.get().read().pipeline(pipeline).windows.entrySet()) {
      if (windowId.isPresent() && !windowId.get().equals(w.getKey())) {
        continue;
      }
      for (Letters l : w.getValue().letters) {
        if (l.replayedAt != null && !includeReplayed) {
          continue;
        }
        for (DeadLetter d : Arrays.asList(store.get().readJson(l.file, DeadLetter[].class))) {
          out.add(
              l.replayedAt == null
                  ? d
                  : new DeadLetter(
                      d.windowId(),
                      d.token(),
                      d.seq(),
                      d.position(),
                      d.reason(),
                      d.raw(),
                      d.rawBytes(),
                      d.truncated(),
                      d.runId(),
                      d.createdAt(),
                      l.replayedAt,
                      l.replayRunId));
        }
      }
    }
    out.sort(
        Comparator.comparing(DeadLetter::windowId)
            .thenComparingLong(DeadLetter::token)
            .thenComparingLong(DeadLetter::seq));
    return out;
  }

  @Override
  public List<String> windowsWithOpenDeadLetters(String pipeline) {
    TreeSet<String> out = new TreeSet<>();
    windows(pipeline)
        .forEach(
            (id, e) -> {
              if (e.letters.stream().anyMatch(l -> l.replayedAt == null && l.count > 0)) {
                out.add(id);
              }
            });
    return new ArrayList<>(out);
  }

  @Override
  public int purgeDeadLetters(String pipeline, Instant before) {
    Optional<LedgerStore> store = stores.apply(pipeline);
    if (store.isEmpty()) {
      return 0;
    }
    return store
        .get()
        .change(
            "purge of dead letters",
            (state, tx) -> {
              int purged = 0;
              for (Entry e : state.pipeline(pipeline).windows.values()) {
                List<Letters> kept = new ArrayList<>();
                for (Letters l : e.letters) {
                  DeadLetter[] all = store.get().readJson(l.file, DeadLetter[].class);
                  boolean old =
                      Arrays.stream(all)
                          .allMatch(d -> d.createdAt() != null && d.createdAt().isBefore(before));
                  if (old) {
                    purged += l.count;
                  } else {
                    kept.add(l);
                  }
                }
                e.letters = kept;
              }
              return purged == 0 ? Outcome.none(0) : Outcome.commit(purged);
            });
  }

  @Override
  public int reset(String pipeline, Optional<String> windowId) {
    Optional<LedgerStore> store = stores.apply(pipeline);
    if (store.isEmpty()) {
      return 0;
    }
    return store
        .get()
        .change(
            "reset",
            (state, tx) -> {
              Map<String, Entry> windows = state.pipeline(pipeline).windows;
              int n;
              if (windowId.isPresent()) {
                n = windows.remove(windowId.get()) == null ? 0 : 1;
              } else {
                n = windows.size();
                windows.clear();
              }
              return n == 0 ? Outcome.none(0) : Outcome.commit(n);
            });
  }
}
