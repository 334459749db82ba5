package dev.idem.run;

import dev.idem.ConfigException;
import dev.idem.DataException;
import dev.idem.IdemException;
import dev.idem.TransientException;
import dev.idem.destination.CommitUnknownException;
import dev.idem.destination.Completion;
import dev.idem.destination.Destination;
import dev.idem.destination.FencedException;
import dev.idem.destination.RowRefusedException;
import dev.idem.destination.RowsRefusedException;
import dev.idem.destination.SupportsMerge;
import dev.idem.destination.SupportsReplaceTable;
import dev.idem.destination.SupportsReplaceWindow;
import dev.idem.destination.SupportsSchemaEvolution;
import dev.idem.destination.SupportsSqlTransform;
import dev.idem.destination.WindowWrite;
import dev.idem.fault.FaultPoint;
import dev.idem.key.Fingerprint;
import dev.idem.key.KeyEncoding;
import dev.idem.key.KeySpec;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Presence;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.RowFunction;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.DriftPolicy;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads windows of a pipeline into a destination, each exactly once in effect. For each window:
 * skip it if the ledger says it is done with the same input fingerprint and definition hash and
 * the target still holds its rows; otherwise claim a lease, stage the window through the bulk
 * path, apply the strategy, and commit data and ledger row in one transaction. Transient failures
 * are retried with backoff; data errors fail the window and are never retried.
 */
public final class Runner {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
  private static final int PROGRESS_EVERY = 50_000;

  private final Destination destination;
  private final RunServices services;
  private final RunListener listener;
  private final AtomicInteger runnerSeq = new AtomicInteger();
  /** Distinguishes runners of one process in lease records. */
  private final String instance = java.util.UUID.randomUUID().toString().substring(0, 8);

  public Runner(Destination destination, RunServices services, RunListener listener) {
    this.destination = destination;
    this.services = services;
    this.listener = listener;
  }

  public Runner(Destination destination, RunServices services) {
    this(destination, services, RunListener.NONE);
  }

  /** Refuses a pipeline the destination cannot honour, before any window is touched. */
  public static void checkCapabilities(Pipeline pipeline, Destination destination) {
    destination.check(pipeline);
    WriteStrategy s = pipeline.target().strategy();
    String name = destination.describe();
    if (s == WriteStrategy.MERGE && !(destination instanceof SupportsMerge)) {
      throw new ConfigException("destination " + name + " does not support strategy merge");
    }
    if (s == WriteStrategy.REPLACE_WINDOW && !(destination instanceof SupportsReplaceWindow)) {
      throw new ConfigException("destination " + name + " does not support strategy replace_window");
    }
    if (s == WriteStrategy.REPLACE_TABLE && !(destination instanceof SupportsReplaceTable)) {
      throw new ConfigException("destination " + name + " does not support strategy replace_table");
    }
    if (pipeline.transformSql() != null && !(destination instanceof SupportsSqlTransform)) {
      throw new ConfigException("destination " + name + " does not run SQL transforms");
    }
    if (pipeline.schemaDrift() == DriftPolicy.EVOLVE && !(destination instanceof SupportsSchemaEvolution)) {
      throw new ConfigException("destination " + name + " does not add columns to its tables (schema_drift evolve): use freeze or discard");
    }
  }

  /** Loads the given windows (sorted by id); with {@code parallel > 1} several at a time. */
  public RunReport run(Pipeline pipeline, List<Window> windows, RunOptions options) {
    return run(pipeline, windows, options, () -> false);
  }

  /**
   * Loads the given windows until {@code stop} says so: no window starts after that, the ones in
   * progress commit (or roll back if they fail), and the windows never started are reported
   * {@link WindowOutcome.Result#NOT_STARTED}. Windows another runner held are checked again before
   * the run ends, for up to {@link RunOptions#heldWait()}: one that runner finished counts as done
   * ({@link WindowOutcome.Result#DONE_ELSEWHERE}), one it left (it failed, or its runner is gone)
   * is loaded here.
   */
  public RunReport run(Pipeline pipeline, List<Window> windows, RunOptions options, BooleanSupplier stop) {
    prepare(pipeline);
    List<WindowOutcome> outcomes = settleHeld(pipeline, load(pipeline, windows, options, stop), options, stop);
    Set<Window> reached = new HashSet<>();
    outcomes.forEach(o -> reached.add(o.window()));
    for (Window w : windows) {
      if (reached.add(w)) {
        outcomes.add(new WindowOutcome(w, WindowOutcome.Result.NOT_STARTED, WindowCounts.NONE, 0, "not started: the run was asked to stop"));
      }
    }
    return new RunReport(pipeline.name(), options.runId(), outcomes);
  }

  /** How often windows held by another runner are looked at again while this run waits for them. */
  static final Duration HELD_POLL = Duration.ofMillis(500);

  /**
   * Looks again at the windows another runner held when this one reached them: a window that
   * runner has finished is done; any other is loaded here (the claim takes it over if its holder is
   * gone), until none is held or {@code heldWait} has passed.
   */
  private List<WindowOutcome> settleHeld(Pipeline pipeline, List<WindowOutcome> outcomes, RunOptions options, BooleanSupplier stop) {
    if (outcomes.stream().noneMatch(o -> o.result() == WindowOutcome.Result.HELD)) {
      return outcomes;
    }
    List<WindowOutcome> settled = new ArrayList<>(outcomes);
    // polls counted, not timed, so that the injected sleeper sets the pace (a test's may not sleep)
    long polls = options.heldWait().toMillis() / HELD_POLL.toMillis();
    String owner = newOwner();
    try (Presence presence = destination.ledger().enter(owner)) {
      for (long poll = 0; ; poll++) {
        boolean held = false;
        for (int i = 0; i < settled.size(); i++) {
          WindowOutcome o = settled.get(i);
          if (o.result() == WindowOutcome.Result.HELD && !stop.getAsBoolean()) {
            settled.set(i, recheck(pipeline, o, options, owner));
          }
          held |= settled.get(i).result() == WindowOutcome.Result.HELD;
        }
        if (!held || poll >= polls || stop.getAsBoolean()) {
          break;
        }
        sleep(HELD_POLL);
      }
    }
    return settled;
  }

  /**
   * A held window looked at again. Done since by a load of the same definition (for a forced run: a
   * load that committed since it was refused here, not a runner that found it unchanged): done
   * elsewhere. Otherwise it is loaded here, which takes it over if its holder is gone.
   */
  private WindowOutcome recheck(Pipeline pipeline, WindowOutcome held, RunOptions options, String owner) {
    Window window = held.window();
    WindowState refused = heldStates.remove(heldKey(pipeline, window));
    Optional<WindowState> now = withRetries("read the ledger of window " + window.id(), () -> destination.ledger().state(pipeline.name(), window.id()));
    if (doneWithSameDefinition(now, pipeline)
        && (!options.force() || refused == null || !Objects.equals(refused.finishedAt(), now.get().finishedAt()))) {
      return new WindowOutcome(window, WindowOutcome.Result.DONE_ELSEWHERE, WindowCounts.unchanged(now.get().counts().targetRows()), held.attempts(),
          held.message() + "; then done by another runner" + (now.get().runId() == null ? "" : " (run " + now.get().runId() + ")"));
    }
    return load(pipeline, window, options, owner);
  }

  /** The ledger rows of windows a claim was refused, as they were then: a recheck tells a commit since from a release. */
  private final Map<String, WindowState> heldStates = new ConcurrentHashMap<>();

  private static String heldKey(Pipeline pipeline, Window window) {
    return pipeline.name() + '\0' + window.id();
  }

  private String newOwner() {
    return services.owner() + "/" + instance + "." + runnerSeq.incrementAndGet();
  }

  /**
   * Runs a stream pipeline (offsets windows): round after round, the source plans each
   * partition's next window from the ledger and the round loads them. A window that fails is not
   * offered again in this run (its partition waits for a fix, as with Kafka Connect's
   * {@code errors.tolerance=none}); the others go on. Without {@code follow}, rounds follow each
   * other until one loads nothing new; with it, a round starts once per commit interval, until
   * {@code stop}.
   * In follow mode the report keeps the failures and the last {@value #FOLLOW_REPORT_KEEPS} other outcomes.
   */
  public RunReport runStream(Pipeline definition, RunOptions options, StreamOptions stream) {
    if (definition.windows().kind() != dev.idem.window.WindowKind.OFFSETS || !(definition.source() instanceof dev.idem.source.StreamSource source)) {
      throw new dev.idem.ConfigException("pipeline " + definition.name() + " is not a stream: it needs a stream source (kafka) and offsets windows");
    }
    Pipeline pipeline = definition.withSource(stream.follow() ? source.following() : source.upToNow());
    prepare(pipeline);
    java.util.Set<String> failed = new java.util.HashSet<>();
    java.util.ArrayDeque<WindowOutcome> recent = new java.util.ArrayDeque<>();
    List<WindowOutcome> failures = new ArrayList<>();
    while (!stream.stop().getAsBoolean()) {
      long roundStarted = System.nanoTime();
      List<dev.idem.ledger.WindowState> states = withRetries("read the ledger of " + pipeline.name(), () -> destination.ledger().states(pipeline.name()));
      List<Window> planned;
      try {
        planned = pipeline.source().windows(pipeline.windows(), states).stream().filter(w -> !failed.contains(w.id())).toList();
      } catch (IOException e) {
        throw new TransientException("planning the windows of " + pipeline.source().describe() + ": " + e.getMessage(), e);
      }
      List<WindowOutcome> round = load(pipeline, planned, options, stream.stop());
      boolean progressed = false;
      for (WindowOutcome o : round) {
        if (o.result() == WindowOutcome.Result.FAILED) {
          failed.add(o.window().id());
          failures.add(o);
          continue;
        }
        progressed |= o.result() == WindowOutcome.Result.LOADED;
        recent.addLast(o);
        if (stream.follow() && recent.size() > FOLLOW_REPORT_KEEPS) {
          recent.removeFirst();
        }
      }
      if (!stream.follow()) {
        if (!progressed) {
          break;
        }
      } else {
        sleepUnlessStopped(stream, roundStarted + stream.commitInterval().toNanos());
      }
    }
    List<WindowOutcome> outcomes = new ArrayList<>(failures);
    outcomes.addAll(recent);
    // a window another runner held is usually done by now (this run planned past it): it counts as done once it is
    return new RunReport(pipeline.name(), options.runId(), settleHeld(pipeline, outcomes, options, stream.stop()));
  }

  static final int FOLLOW_REPORT_KEEPS = 1_000;

  private void sleepUnlessStopped(StreamOptions stream, long until) {
    while (!stream.stop().getAsBoolean() && System.nanoTime() < until) {
      sleep(Duration.ofMillis(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000))));
    }
  }

  private void prepare(Pipeline pipeline) {
    checkCapabilities(pipeline, destination);
    withRetries("prepare " + destination.describe(), () -> {
      destination.prepare(pipeline);
      return null;
    });
  }

  /** Loads the windows in id order, on {@code options.parallel()} threads; none starts once {@code stop} says so. */
  private List<WindowOutcome> load(Pipeline pipeline, List<Window> windows, RunOptions options, BooleanSupplier stop) {
    List<Window> sorted = new ArrayList<>(windows);
    Collections.sort(sorted);
    List<WindowOutcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    if (options.parallel() == 1 || sorted.size() <= 1) {
      String owner = newOwner();
      try (Presence presence = destination.ledger().enter(owner)) {
        for (Window w : sorted) {
          if (stop.getAsBoolean()) {
            break;
          }
          outcomes.add(load(pipeline, w, options, owner));
          services.faults().reach(FaultPoint.BETWEEN_WINDOWS, w);
        }
      }
    } else {
      ConcurrentLinkedQueue<Window> queue = new ConcurrentLinkedQueue<>(sorted);
      ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.parallel(), sorted.size()), r -> {
        Thread t = new Thread(r, "idem-runner-" + runnerSeq.get());
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < Math.min(options.parallel(), sorted.size()); i++) {
          String owner = newOwner();
          futures.add(pool.submit(() -> {
            try (Presence presence = destination.ledger().enter(owner)) {
              for (Window w = stop.getAsBoolean() ? null : queue.poll(); w != null; w = stop.getAsBoolean() ? null : queue.poll()) {
                outcomes.add(load(pipeline, w, options, owner));
                services.faults().reach(FaultPoint.BETWEEN_WINDOWS, w);
              }
            }
          }));
        }
        for (Future<?> f : futures) {
          join(f);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    return new ArrayList<>(outcomes);
  }

  private static void join(Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdemException("interrupted while waiting for runner threads", e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Error err) {
        throw err;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IdemException(c.toString(), c);
    }
  }

  /** One window, with retries of transient failures. Errors (crashes) propagate. */
  WindowOutcome load(Pipeline pipeline, Window window, RunOptions options, String owner) {
    listener.started(window);
    Random random = new Random(services.seed() ^ window.id().hashCode());
    int attempt = 0;
    WindowOutcome outcome;
    Attempt last = new Attempt();
    while (true) {
      attempt++;
      try {
        outcome = loadOnce(pipeline, window, options, owner, attempt, last);
        break;
      } catch (TransientException e) {
        if (attempt >= services.retry().maxAttempts()) {
          outcome = failed(window, attempt, last, new IdemException("gave up after " + attempt + " attempts: " + e.getMessage(), e));
          break;
        }
        Duration wait = services.retry().backoff(attempt, random);
        LOG.warn("window {}: transient failure (attempt {}), retrying in {} ms: {}", window.id(), attempt, wait.toMillis(), e.getMessage());
        sleep(wait);
      } catch (FencedException e) {
        outcome = new WindowOutcome(window, WindowOutcome.Result.HELD, WindowCounts.NONE, attempt, e.getMessage());
        break;
      } catch (IdemException e) {
        outcome = failed(window, attempt, last, e);
        break;
      } catch (RuntimeException e) {
        // A bug or a row function's exception: this window fails, the others still run.
        LOG.warn("window {}: unexpected error", window.id(), e);
        outcome = failed(window, attempt, last, new IdemException("unexpected error: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e));
        break;
      }
    }
    listener.finished(outcome);
    return outcome;
  }

  /** The last attempt at a window: its lease, once claimed, and how far it read. */
  private static final class Attempt {
    Lease lease;
    long read;
    long discarded;

    /** Its counts if it failed: what it read, dropped and kept as dead letters; the rest was rolled back. */
    WindowCounts failed(IdemException e) {
      long letters = e instanceof BadRecords bad ? bad.letters.size() : 0;
      long target = lease == null || lease.previous() == null ? 0 : lease.previous().counts().targetRows();
      return WindowCounts.failed(read, discarded, letters, target);
    }
  }

  /** A failed window: recorded in the ledger under the lease, with its counts, when this runner holds one. */
  private WindowOutcome failed(Window window, int attempt, Attempt last, IdemException e) {
    WindowCounts counts = last.failed(e);
    if (last.lease != null) {
      recordFailure(last.lease, e, counts);
    }
    return new WindowOutcome(window, WindowOutcome.Result.FAILED, counts, attempt, e.getMessage());
  }

  private void sleep(Duration wait) {
    try {
      services.sleeper().sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdemException("interrupted while waiting to retry", e);
    }
  }

  private WindowOutcome loadOnce(Pipeline pipeline, Window window, RunOptions options, String owner, int attempt, Attempt last) {
    String name = pipeline.name();
    Optional<WindowState> before = destination.ledger().state(name, window.id());
    String knownFingerprint = null;
    if (!options.force() && doneWithSameDefinition(before, pipeline)) {
      knownFingerprint = fingerprint(pipeline, window, before);
      if (unchanged(pipeline, before.get(), knownFingerprint)) {
        return new WindowOutcome(window, WindowOutcome.Result.UNCHANGED, WindowCounts.unchanged(before.get().counts().targetRows()), attempt, "unchanged");
      }
    }
    Optional<Lease> claimed = destination.ledger().claim(name, window.id(), owner, services.leaseTtl());
    if (claimed.isEmpty()) {
      Optional<WindowState> held = destination.ledger().state(name, window.id());
      held.ifPresent(s -> heldStates.put(heldKey(pipeline, window), s));
      return new WindowOutcome(window, WindowOutcome.Result.HELD, WindowCounts.NONE, attempt,
          "held by " + held.map(WindowState::owner).orElse("another runner"));
    }
    Lease lease = claimed.get();
    last.lease = lease;
    last.read = 0;
    last.discarded = 0;
    services.faults().reach(FaultPoint.AFTER_CLAIM, window);
    if (!options.force() && doneWithSameDefinition(Optional.ofNullable(lease.previous()), pipeline)) {
      // Another runner may have finished the window between our check and our claim.
      String fingerprint = knownFingerprint != null ? knownFingerprint : fingerprint(pipeline, window, Optional.of(lease.previous()));
      if (unchanged(pipeline, lease.previous(), fingerprint)) {
        destination.ledger().release(lease);
        return new WindowOutcome(window, WindowOutcome.Result.UNCHANGED, WindowCounts.unchanged(lease.previous().counts().targetRows()), attempt, "unchanged");
      }
    }
    RunContext context = new RunContext(name, pipeline.version(), window, options.logicalDate(), options.runId());
    try (LeaseRenewal renewal = new LeaseRenewal(lease)) {
      WindowCounts counts = write(pipeline, window, lease, context, renewal, last);
      services.faults().reach(FaultPoint.AFTER_COMMIT, window);
      WindowState after = destination.ledger().state(name, window.id())
          .orElseThrow(() -> new IdemException("window " + window.id() + " committed but its ledger row is missing"));
      // Done under our token, or already claimed again by a later runner (its token is greater).
      if (after.token() < lease.token() || (after.token() == lease.token() && after.status() != WindowStatus.DONE)) {
        throw new IdemException("window " + window.id() + " committed but the ledger shows " + after.status() + " under token " + after.token());
      }
      // a drifted schema is said at run time too, not only in the ledger: dropped columns are never silent
      String drift = after.schema() == null || after.token() != lease.token() ? null : after.schema().drift();
      return new WindowOutcome(window, WindowOutcome.Result.LOADED, counts, attempt, drift == null ? "loaded" : "loaded; schema drift: " + drift);
    }
  }

  /**
   * Keeps a lease alive while a long window loads: renews it every third of its time to live on
   * a daemon thread. A lease found taken over is not renewed again; the commit's fencing check
   * then refuses this runner's write.
   */
  private final class LeaseRenewal implements AutoCloseable {
    private final java.util.concurrent.ScheduledExecutorService timer;
    /** Set once the window's ledger row is written in its transaction: a renewal refused after that is our own commit's doing. */
    private volatile boolean completing;

    LeaseRenewal(Lease lease) {
      if (services.renewal() == RunServices.Renewal.OFF) {
        timer = null;
        return;
      }
      long every = Math.max(1, services.leaseTtl().toMillis() / 3);
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "idem-lease-" + lease.windowId());
        t.setDaemon(true);
        return t;
      });
      timer.scheduleAtFixedRate(() -> {
        try {
          if (!destination.ledger().renew(lease, services.leaseTtl())) {
            // once the window is completing, a refused renewal means its commit ended the lease (or
            // a takeover that the commit's own fencing reports): nothing to warn about here
            if (!completing) {
              LOG.warn("window {}: lease was taken over by another runner; this runner's commit will be refused", lease.windowId());
            }
            timer.shutdown();
          }
        } catch (IdemException e) {
          LOG.warn("window {}: could not renew lease: {}", lease.windowId(), e.getMessage());
        }
      }, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The window's data and ledger row are written and about to commit: the lease ends with the commit. */
    void completing() {
      completing = true;
    }

    @Override
    public void close() {
      if (timer != null) {
        timer.shutdownNow();
      }
    }
  }

  /** Dead letters kept in memory for a window that fails on them (they are written again after the rollback). */
  private static final int KEPT_LETTERS = 1_000;

  /**
   * A window's bad records: each goes to the write's dead letters, the first {@link #KEPT_LETTERS}
   * are also kept here, and the pipeline's limits are checked as they come and at the end.
   */
  private static final class BadRecordTally {
    private final Pipeline pipeline;
    private final Window window;
    private final WindowWrite write;
    private final List<DeadLetter> kept;
    private long count;

    BadRecordTally(Pipeline pipeline, Window window, WindowWrite write, List<DeadLetter> kept) {
      this.pipeline = pipeline;
      this.window = window;
      this.write = write;
      this.kept = kept;
    }

    void add(SourceRecord record, long read) {
      DeadLetter letter = DeadLetter.of(window.id(), record);
      write.deadLetter(letter);
      if (kept.size() < KEPT_LETTERS) {
        kept.add(letter);
      }
      check(pipeline.badRecords().exceeded(++count, read, false));
    }

    void finish(long read) {
      check(pipeline.badRecords().exceeded(count, read, true));
    }

    private void check(String exceeded) {
      if (exceeded != null) {
        throw new BadRecords(window, exceeded, kept);
      }
    }
  }

  /** A window with more bad records than its pipeline allows: rolled back, its dead letters kept. */
  static final class BadRecords extends DataException {
    private static final long serialVersionUID = 1L;
    private final transient List<DeadLetter> letters;

    BadRecords(Window window, String exceeded, List<DeadLetter> letters) {
      super("window " + window.id() + ": " + exceeded + "; nothing of it was loaded, its bad records are in the dead letters"
          + (letters.size() == KEPT_LETTERS ? " (the first " + KEPT_LETTERS + ")" : "") + " (idem dlq list); first: "
          + letters.get(0).position() + ": " + letters.get(0).reason());
      this.letters = List.copyOf(letters);
    }

    /** A data error that stopped the window after some of its records were dead-lettered: those are kept too. */
    BadRecords(DataException stopped, List<DeadLetter> letters) {
      super(stopped.getMessage() + "; nothing of the window was loaded, its " + letters.size() + " bad record"
          + (letters.size() == 1 ? " is" : "s are") + " in the dead letters (idem dlq list)", stopped);
      this.letters = List.copyOf(letters);
    }
  }

  /**
   * Records the failure under the lease, if it is still ours, retried like any ledger write. If the
   * ledger stays unreachable past the retries the window's row still says running: this runner's
   * presence ends with the run, and the next claim takes the window over at once.
   */
  private void recordFailure(Lease lease, IdemException e, WindowCounts counts) {
    try {
      withRetries("record the failure of window " + lease.windowId(), () -> {
        destination.ledger().fail(lease, e.getMessage(), counts, e instanceof BadRecords bad ? bad.letters : List.of());
        return null;
      });
    } catch (IdemException suppressed) {
      e.addSuppressed(suppressed);
      LOG.warn("window {}: could not record the failure in the ledger: {}", lease.windowId(), suppressed.getMessage());
    }
  }

  private static boolean doneWithSameDefinition(Optional<WindowState> state, Pipeline pipeline) {
    return state.isPresent() && state.get().status() == WindowStatus.DONE
        && pipeline.definitionHash().equals(state.get().definitionHash());
  }

  /**
   * Same input, and the target still holds the rows the ledger says the window wrote. Another
   * window's commit may move rows (and update this window's recorded count) between the ledger
   * read and the count, so the count is trusted only when the recorded count did not change
   * around it.
   */
  private boolean unchanged(Pipeline pipeline, WindowState state, String fingerprint) {
    if (!fingerprint.equals(state.fingerprint())) {
      return false;
    }
    long recorded = state.counts().targetRows();
    for (int attempt = 0; attempt < 5; attempt++) {
      long actual = destination.rowsInTarget(pipeline, state.windowId());
      Optional<WindowState> after = destination.ledger().state(pipeline.name(), state.windowId());
      if (after.isEmpty() || !fingerprint.equals(after.get().fingerprint())) {
        return false;
      }
      long recordedAfter = after.get().counts().targetRows();
      if (recordedAfter == recorded) {
        return actual == recorded;
      }
      recorded = recordedAfter;
    }
    return false;
  }

  private WindowCounts write(Pipeline pipeline, Window window, Lease lease, RunContext context, LeaseRenewal renewal, Attempt attempt) {
    Fingerprint fingerprint = new Fingerprint();
    long discarded = 0;
    long read = 0;
    // the letters so far, kept outside the transaction: a failure rolls the window back
    List<DeadLetter> kept = new ArrayList<>();
    Optional<String> cheapBefore = cheapFingerprint(pipeline, window);
    try (WindowWrite write = destination.begin(pipeline, lease, context);
         SchemaWatch schema = SchemaWatch.open(pipeline, window, write, Optional.ofNullable(lease.previous()))) {
      BadRecordTally bad = new BadRecordTally(pipeline, window, write, kept);
      int[] hashFields = hashFields(pipeline);
      int width = pipeline.stagedColumns().size();
      long staged = 0;
      boolean hashRecords = cheapBefore.isEmpty(); // a source with a cheap fingerprint spares a SHA-256 per record
      schema.check(); // a query's result metadata is observed before its first row
      for (SourceRecord r = schema.next(); r != null; r = schema.next()) {
        read++;
        schema.check();
        if (r.isBad()) {
          if (hashRecords) {
            fingerprint.add(badRecordPrint(r));
          }
          bad.add(r, read);
          continue;
        }
        if (hashRecords) {
          fingerprint.add(r.values());
        }
        Object[] values = applyRowFunctions(pipeline, schema.declaredValues(r.values()), context);
        if (values == null) {
          discarded++;
          continue;
        }
        try {
          write.add(schema.row(hashFields == null ? values : withKeyHash(values, hashFields, width), r.values()), r.position());
        } catch (RowRefusedException e) {
          bad.add(SourceRecord.bad(r.position(), Arrays.toString(values), e.getMessage()), read);
          continue;
        }
        if (++staged == 1) {
          services.faults().reach(FaultPoint.MID_STAGING, window);
        }
        if (staged % PROGRESS_EVERY == 0) {
          listener.progress(window, staged);
        }
      }
      schema.checkComplete();
      bad.finish(read);
      services.faults().reach(FaultPoint.AFTER_STAGING, window);
      Optional<String> cheapAfter = cheapFingerprint(pipeline, window);
      if (!cheapBefore.equals(cheapAfter)) {
        // The input (a file) changed while it was read: what was staged matches neither version.
        throw new TransientException("input of window " + window.id() + " changed while it was read", null);
      }
      String fp = cheapBefore.orElse(fingerprint.value());
      WindowCounts counts = write.prepare(new Completion(fp, pipeline.definitionHash(), read, discarded, bad.count, schema.report(),
          schema.reader().position().orElse(null)));
      renewal.completing();
      services.faults().reach(FaultPoint.BEFORE_COMMIT, window);
      try {
        write.commit();
      } catch (CommitUnknownException e) {
        if (!committed(pipeline, lease)) {
          throw new TransientException("commit of window " + window.id() + " did not happen: " + e.getMessage(), e);
        }
        LOG.info("window {}: commit outcome was unknown; the ledger shows it committed", window.id());
      }
      return counts;
    } catch (BadRecords e) {
      throw e;
    } catch (RowsRefusedException e) {
      // rows the destination refused after staging, past the limits: kept with the others
      for (DeadLetter letter : e.letters()) {
        if (kept.size() < KEPT_LETTERS) {
          kept.add(letter);
        }
      }
      throw new BadRecords(window, e.exceeded(), kept);
    } catch (DataException e) {
      // the rollback loses the letters written so far: keep them with the failure (input the
      // reader cannot move past is first a dead letter, then this error)
      if (kept.isEmpty()) {
        throw e;
      }
      throw new BadRecords(e, kept);
    } catch (IOException e) {
      throw new TransientException("reading window " + window.id() + ": " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new TransientException("reading window " + window.id() + ": " + e.getCause().getMessage(), e);
    } finally {
      attempt.read = read;
      attempt.discarded = discarded;
    }
  }

  /** What a bad record contributes to a window's fingerprint: it has no values, only its place and raw input. */
  private static Object[] badRecordPrint(SourceRecord r) {
    return new Object[] {r.position(), r.raw()};
  }

  private static Optional<String> cheapFingerprint(Pipeline pipeline, Window window) {
    try {
      return pipeline.source().fingerprint(pipeline.windows(), window);
    } catch (IOException e) {
      throw new TransientException("reading window " + window.id() + ": " + e.getMessage(), e);
    }
  }

  /** Resolves an unknown commit by reading the ledger: done under our token means it happened. */
  private boolean committed(Pipeline pipeline, Lease lease) {
    return withRetries("read ledger of " + lease.windowId(), () -> destination.ledger().state(pipeline.name(), lease.windowId()))
        .filter(s -> s.status() == WindowStatus.DONE && s.token() == lease.token())
        .isPresent();
  }

  private static Object[] applyRowFunctions(Pipeline pipeline, Object[] values, RunContext context) {
    for (RowFunction f : pipeline.rowFunctions().values()) {
      values = f.apply(values, context);
      if (values == null) {
        return null;
      }
    }
    return values;
  }

  private static int[] hashFields(Pipeline pipeline) {
    KeySpec key = pipeline.target().key();
    if (key == null || key.kind() != KeySpec.Kind.HASH) {
      return null;
    }
    int[] idx = new int[key.fields().size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = pipeline.source().schema().indexOf(key.fields().get(i));
    }
    return idx;
  }

  private static Object[] withKeyHash(Object[] values, int[] fields, int width) {
    Object[] keyValues = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      keyValues[i] = values[fields[i]];
    }
    Object[] row = java.util.Arrays.copyOf(values, width);
    row[width - 1] = KeyEncoding.sha256Hex(keyValues);
    return row;
  }

  /** The window's input fingerprint without loading it: the source's cheap one, or a hash of its records. */
  public String fingerprint(Pipeline pipeline, Window window) {
    return fingerprint(pipeline, window, Optional.empty());
  }

  /** The same, given the window's ledger row: a done stream window is read up to its recorded end. */
  private String fingerprint(Pipeline pipeline, Window window, Optional<WindowState> recorded) {
    Optional<String> cheap = cheapFingerprint(pipeline, window);
    if (cheap.isPresent()) {
      return cheap.get();
    }
    try {
      Fingerprint fp = new Fingerprint();
      // read as a load reads it, so that the added columns evolve keeps are hashed too
      try (SchemaWatch schema = SchemaWatch.open(pipeline, window, recorded)) {
        RecordReader reader = schema.reader();
        for (SourceRecord r = reader.next(); r != null; r = reader.next()) {
          fp.add(r.isBad() ? badRecordPrint(r) : r.values()); // as write() hashes them
        }
      }
      return fp.value();
    } catch (IOException e) {
      throw new TransientException("reading window " + window.id() + ": " + e.getMessage(), e);
    }
  }

  private <T> T withRetries(String what, java.util.function.Supplier<T> action) {
    Random random = new Random(services.seed());
    for (int attempt = 1; ; attempt++) {
      try {
        return action.get();
      } catch (TransientException e) {
        if (attempt >= services.retry().maxAttempts()) {
          throw new IdemException(what + ": gave up after " + attempt + " attempts: " + e.getMessage(), e);
        }
        sleep(services.retry().backoff(attempt, random));
      }
    }
  }
}
