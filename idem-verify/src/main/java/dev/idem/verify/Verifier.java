package dev.idem.verify;

import dev.idem.ConfigException;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.SupportsVerification;
import dev.idem.fault.CrashAt;
import dev.idem.fault.FaultPoint;
import dev.idem.fault.SimulatedCrash;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowOutcome.Result;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.verify.CheckResult.Verdict;
import dev.idem.window.Window;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Proves a pipeline idempotent on a list of windows, or shows where it is not. The input is
 * captured once; every check runs the pipeline on a new scratch destination and compares the state
 * it leaves with the clean run's:
 *
 * <ol>
 *   <li>{@code clean}: one run, whose state is the reference;
 *   <li>{@code rerun}: run again: every window skipped, same state;
 *   <li>{@code rerun-forced}: run again with --force: same state (catches now(), random(), ...);
 *   <li>{@code crash-*}: crash at each fault point, retry: same state;
 *   <li>{@code overlap}: run the later half of the range, then all of it: same state;
 *   <li>{@code concurrent}: several runners at once: each window loaded once, same state;
 *   <li>{@code changed-input}: one value of one window changed: only that window is rewritten, and
 *       the state equals a clean run on the changed input;
 *   <li>{@code key}: the key identifies a record in the input;
 *   <li>{@code balanced}: every load accounted for every record it read;
 *   <li>{@code engine-read}, for a pipeline whose source is an engine's ({@link #readBy}): the
 *       engine reads every window again as it did for the capture, and as the JVM reader does,
 *       record for record (values, position, raw input, problem, bad values).
 * </ol>
 */
public final class Verifier {
  private static final Duration CRASHED_LEASE = Duration.ofSeconds(1);
  private static final Duration TAKEOVER_WAIT = Duration.ofSeconds(30);

  private final Pipeline original;
  private final List<Window> windows;
  private final Function<RunServices, Destination> scratches;
  private final RunServices services;
  private final int runners;

  /** Windows loaded unbalanced, by every check's runs (the concurrent check's from N threads). */
  private final List<String> unbalanced = Collections.synchronizedList(new ArrayList<>());

  private String engine;
  private Source reference;

  /**
   * @param scratches opens a new, empty destination each call (removed when closed); it must
   *     implement {@link SupportsVerification}
   * @param runners concurrent runners in the {@code concurrent} check
   */
  public Verifier(
      Pipeline pipeline,
      List<Window> windows,
      Function<RunServices, Destination> scratches,
      RunServices services,
      int runners) {
    if (windows.isEmpty()) {
      throw new ConfigException("nothing to verify: the selection has no windows");
    }
    if (runners < 2) {
      throw new ConfigException("--runners must be at least 2, got " + runners);
    }
    this.original = pipeline;
    this.windows = List.copyOf(windows);
    this.scratches = scratches;
    this.services = services.withRenewal(RunServices.Renewal.OFF);
    this.runners = runners;
  }

  /**
   * The pipeline's source is an engine's ({@code idem verify --engine spark}): the capture is its
   * read, and the {@code engine-read} check compares a second read of every window by the engine,
   * and the read of {@code reference} (the JVM reader of the same input), with the capture.
   */
  public Verifier readBy(String engineName, Source jvmReader) {
    this.engine = engineName;
    this.reference = jvmReader;
    return this;
  }

  /** Runs every check; the report lists them in order. */
  public List<CheckResult> verify() {
    List<CheckResult> results = new ArrayList<>();
    long t0 = System.nanoTime();
    try (CapturedInput input =
        CapturedInput.capture(original.source(), original.windows(), windows)) {
      Pipeline p = original.withSource(input.source());
      long records = windows.stream().mapToLong(w -> input.records(w.id())).sum();
      try (Destination clean = scratch("verify-clean")) {
        RunReport first =
            run(
                clean,
                p,
                windows,
                RunOptions.defaults("verify-clean"),
                services.withOwner("verify-clean"));
        if (!first.ok()) {
          results.add(
              result("clean", Verdict.FAIL, "the clean run failed: " + failures(first), t0));
          return results;
        }
        Snapshot s0 = Snapshot.of(clean, p);
        results.add(
            result(
                "clean",
                Verdict.PASS,
                windows.size()
                    + " windows, "
                    + records
                    + " records read, "
                    + s0.rows().size()
                    + " rows in "
                    + s0.table(),
                t0));
        results.add(rerun(clean, p, s0));
        results.add(rerunForced(clean, p, s0));
        for (FaultPoint point : FaultPoint.values()) {
          results.add(crash(p, point, s0));
        }
        results.add(overlap(p, s0));
        results.add(concurrent(p, s0));
        results.add(changedInput(clean, input, s0));
      }
      results.add(keyCheck(p, input));
      results.add(fingerprintCheck());
      long t = System.nanoTime();
      results.add(
          unbalanced.isEmpty()
              ? result(
                  "balanced",
                  Verdict.PASS,
                  "every load: rows read = written + unchanged + skipped + folded + discarded",
                  t)
              : result("balanced", Verdict.FAIL, String.join("; ", unbalanced), t));
      if (engine != null) {
        results.add(engineRead(input));
      }
    }
    return results;
  }

  private CheckResult rerun(Destination d, Pipeline p, Snapshot s0) {
    long t = System.nanoTime();
    RunReport again =
        run(d, p, windows, RunOptions.defaults("verify-rerun"), services.withOwner("verify-rerun"));
    List<String> loaded =
        again.outcomes().stream()
            .filter(o -> o.result() != Result.UNCHANGED)
            .map(o -> o.window().id() + " " + o.label())
            .toList();
    if (!loaded.isEmpty()) {
      return result("rerun", Verdict.FAIL, "an unchanged input was not skipped: " + loaded, t);
    }
    return compare("rerun", d, p, s0, "every window skipped as unchanged", t);
  }

  private CheckResult rerunForced(Destination d, Pipeline p, Snapshot s0) {
    long t = System.nanoTime();
    RunReport forced =
        run(
            d,
            p,
            windows,
            RunOptions.defaults("verify-forced").forced(),
            services.withOwner("verify-forced"));
    if (!forced.ok()) {
      return result(
          "rerun-forced", Verdict.FAIL, "the forced re-run failed: " + failures(forced), t);
    }
    return compare(
        "rerun-forced",
        d,
        p,
        s0,
        "every window reloaded, nothing changed",
        t,
        "reloading the same input changed the target, so the load is not deterministic (now(), random(), a sequence, a counter?)");
  }

  private CheckResult crash(Pipeline p, FaultPoint point, Snapshot s0) {
    String name = "crash-" + point.name().toLowerCase(Locale.ROOT).replace('_', '-');
    long t = System.nanoTime();
    // the middle window, so that windows were loaded before the crash and are left after it
    String windowId = windows.get(windows.size() / 2).id();
    if (point == FaultPoint.BETWEEN_WINDOWS && windows.size() == 1) {
      return result(name, Verdict.SKIPPED, "one window: there is no point between windows", t);
    }
    if (point == FaultPoint.BETWEEN_WINDOWS
        && windowId.equals(windows.get(windows.size() - 1).id())) {
      windowId = windows.get(0).id();
    }
    try (Destination d = scratch(name)) {
      CrashAt crash = new CrashAt(point, windowId);
      RunServices crashing =
          services.withOwner("verify-" + name).withFaults(crash).withLeaseTtl(CRASHED_LEASE);
      try {
        run(d, p, windows, RunOptions.defaults("verify-" + name), crashing);
      } catch (SimulatedCrash expected) {
        // the runner died here; what it committed stays, what it had open is rolled back
      }
      if (!crash.fired()) {
        return result(name, Verdict.SKIPPED, point + " was not reached in window " + windowId, t);
      }
      Optional<String> retry = retryUntilTakenOver(d, p, "verify-" + name + "-retry");
      if (retry.isPresent()) {
        return result(
            name,
            Verdict.FAIL,
            "after a crash at " + point + " in window " + windowId + ", the retry " + retry.get(),
            t);
      }
      return compare(name, d, p, s0, "crashed in window " + windowId + ", retried", t);
    }
  }

  /**
   * Retries until every window is done; empty when it converged. The crashed runner's presence
   * ended with it, so the first retry takes its windows over; the loop only guards a destination
   * whose ledger cannot tell a dead runner (its leases then have to expire).
   */
  private Optional<String> retryUntilTakenOver(Destination d, Pipeline p, String owner) {
    long deadline = System.nanoTime() + TAKEOVER_WAIT.toNanos();
    while (true) {
      RunReport r = run(d, p, windows, RunOptions.defaults(owner), services.withOwner(owner));
      if (r.count(Result.FAILED) > 0) {
        return Optional.of("failed: " + failures(r));
      }
      if (r.count(Result.HELD) == 0) {
        return Optional.empty();
      }
      if (System.nanoTime() > deadline) {
        return Optional.of(
            "still found windows held after "
                + TAKEOVER_WAIT.toSeconds()
                + "s: the crashed runner was never taken for dead");
      }
      sleep(Duration.ofMillis(200));
    }
  }

  private CheckResult overlap(Pipeline p, Snapshot s0) {
    long t = System.nanoTime();
    if (windows.size() < 2) {
      return result("overlap", Verdict.SKIPPED, "one window: no range overlaps another", t);
    }
    List<Window> later = windows.subList(windows.size() / 2, windows.size());
    try (Destination d = scratch("verify-overlap")) {
      RunReport first =
          run(
              d,
              p,
              later,
              RunOptions.defaults("verify-overlap-1"),
              services.withOwner("verify-overlap"));
      RunReport wide =
          run(
              d,
              p,
              windows,
              RunOptions.defaults("verify-overlap-2"),
              services.withOwner("verify-overlap"));
      if (!first.ok() || !wide.ok()) {
        return result(
            "overlap", Verdict.FAIL, "a run failed: " + failures(first) + failures(wide), t);
      }
      return compare(
          "overlap",
          d,
          p,
          s0,
          "ran "
              + later.get(0).id()
              + ".."
              + last().id()
              + ", then "
              + windows.get(0).id()
              + ".."
              + last().id(),
          t,
          overlapHint(p.target()));
    }
  }

  /** What a failed overlap check most likely means for this target. */
  static String overlapHint(Target target) {
    String failed = "an earlier window loaded after later ones left another state";
    if (target.orderBy().isEmpty()) {
      return failed
          + ": a newer row was overwritten by an older one (declare order_by?"
          + (target.hasDeletes() ? " without it, deletes are not remembered" : "")
          + ")";
    }
    return failed
        + ", though order_by "
        + String.join(", ", target.orderBy())
        + " is declared: the result depends on the order windows ran in (a transform that"
        + " is not deterministic?)";
  }

  private CheckResult concurrent(Pipeline p, Snapshot s0) {
    long t = System.nanoTime();
    try (Destination d = scratch("verify-concurrent")) {
      d.prepare(p);
      ExecutorService pool = Executors.newFixedThreadPool(runners);
      List<Destination> opened = new ArrayList<>();
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<RunReport>> futures = new ArrayList<>();
        // one owner identity, as threads of one process (DuckDB admits no other); each runner
        // still claims with its own lease owner and, on a server database, its own connections
        RunServices own = services.withOwner("verify-concurrent");
        for (int i = 0; i < runners; i++) {
          Destination runnerView = ((SupportsVerification) d).reopen(own);
          opened.add(runnerView);
          futures.add(
              pool.submit(
                  () -> {
                    start.await();
                    return run(
                        runnerView, p, windows, RunOptions.defaults("verify-concurrent"), own);
                  }));
        }
        start.countDown();
        List<WindowOutcome> outcomes = new ArrayList<>();
        for (Future<RunReport> f : futures) {
          outcomes.addAll(f.get().outcomes());
        }
        List<String> failed =
            outcomes.stream()
                .filter(o -> o.result() == Result.FAILED)
                .map(o -> o.window().id() + ": " + o.message())
                .toList();
        if (!failed.isEmpty()) {
          return result("concurrent", Verdict.FAIL, "windows failed: " + failed, t);
        }
        Set<String> loaded = new HashSet<>();
        List<String> twice =
            outcomes.stream()
                .filter(o -> o.result() == Result.LOADED)
                .map(o -> o.window().id())
                .filter(id -> !loaded.add(id))
                .toList();
        if (!twice.isEmpty()) {
          return result("concurrent", Verdict.FAIL, "windows loaded more than once: " + twice, t);
        }
        // a window a runner found held by another is not missing: the final state tells
        return compare(
            "concurrent",
            d,
            p,
            s0,
            runners + " runners, " + loaded.size() + " windows loaded once each",
            t);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return result("concurrent", Verdict.FAIL, "interrupted", t);
      } catch (ExecutionException e) {
        return result("concurrent", Verdict.FAIL, "a runner died: " + e.getCause(), t);
      } finally {
        pool.shutdownNow();
        opened.forEach(Destination::close);
      }
    }
  }

  private CheckResult changedInput(Destination clean, CapturedInput input, Snapshot s0) {
    long t = System.nanoTime();
    String windowId = windows.get(windows.size() / 2).id();
    // a record keeps its identity (key columns), version, window and delete flag; the fields of a
    // hash key are changed only when nothing else can be (then the record's key changes too)
    Set<String> keep = new HashSet<>();
    Set<String> hashFields = new HashSet<>();
    KeySpec key = original.target().key();
    if (key != null) {
      (key.kind() == KeySpec.Kind.HASH ? hashFields : keep).addAll(key.fields());
    }
    keep.addAll(original.target().orderBy());
    for (String c :
        new String[] {
          original.target().deletes() == null ? null : original.target().deletes().column(),
          original.windows().column()
        }) {
      if (c != null) {
        keep.add(c);
      }
    }
    Optional<CapturedInput.Changed> changed = input.withOneValueChanged(windowId, keep, hashFields);
    if (changed.isEmpty()) {
      return result(
          "changed-input",
          Verdict.SKIPPED,
          "window "
              + windowId
              + " has no record with a value to change (a text or number that is not null, outside key, order and window columns)",
          t);
    }
    try (CapturedInput other = changed.get().input()) {
      Pipeline p2 = original.withSource(other.source());
      RunReport rerun =
          run(
              clean,
              p2,
              windows,
              RunOptions.defaults("verify-changed"),
              services.withOwner("verify-changed"));
      List<String> wrong =
          rerun.outcomes().stream()
              .filter(
                  o ->
                      o.window().id().equals(windowId)
                          ? o.result() != Result.LOADED
                          : o.result() != Result.UNCHANGED)
              .map(o -> o.window().id() + " " + o.label())
              .toList();
      if (!wrong.isEmpty()) {
        return result(
            "changed-input",
            Verdict.FAIL,
            "changed "
                + changed.get().description()
                + ", expected only window "
                + windowId
                + " to be reloaded, got "
                + wrong,
            t);
      }
      Snapshot expected;
      try (Destination d = scratch("verify-changed-clean")) {
        RunReport r =
            run(
                d,
                p2,
                windows,
                RunOptions.defaults("verify-changed-clean"),
                services.withOwner("verify-changed-clean"));
        if (!r.ok()) {
          return result(
              "changed-input",
              Verdict.FAIL,
              "a clean run on the changed input failed: " + failures(r),
              t);
        }
        expected = Snapshot.of(d, p2);
      }
      if (expected.rows().equals(s0.rows())) {
        // the change did not reach the target (e.g. a folded older version): still a valid check of
        // the skip logic
        return compare(
            "changed-input",
            clean,
            p2,
            expected,
            "changed "
                + changed.get().description()
                + " (no effect on the target); only "
                + windowId
                + " reloaded",
            t);
      }
      return compare(
          "changed-input",
          clean,
          p2,
          expected,
          "changed "
              + changed.get().description()
              + "; only "
              + windowId
              + " reloaded, equal to a clean run on the changed input",
          t,
          "the reloaded window left another state than a clean run on the changed input");
    }
  }

  /**
   * The source's own fingerprint of each window, which a real run compares with the ledger's to
   * skip it (the other checks replay the capture, whose fingerprints are its records' hash): taken
   * twice in a row, it must be the same, or every run would load the window again. Whether it
   * changes when the input does is not checked (verify does not change the source's input).
   */
  private CheckResult fingerprintCheck() {
    long t = System.nanoTime();
    int own = 0;
    for (Window w : windows) {
      Optional<String> first;
      Optional<String> second;
      try {
        first = original.source().fingerprint(original.windows(), w);
        second = original.source().fingerprint(original.windows(), w);
      } catch (IOException e) {
        return result(
            "fingerprint",
            Verdict.FAIL,
            "window " + w.id() + ": the source's fingerprint failed: " + e.getMessage(),
            t);
      }
      if (!first.equals(second)) {
        return result(
            "fingerprint",
            Verdict.FAIL,
            "window "
                + w.id()
                + ": the source's fingerprint differs between two reads in a row ("
                + first.orElse("none")
                + ", then "
                + second.orElse("none")
                + "): every run would load it again",
            t);
      }
      own += first.isPresent() ? 1 : 0;
    }
    return result(
        "fingerprint",
        Verdict.PASS,
        own == 0
            ? "the source has no fingerprint of its own: a run hashes each window's records"
            : own + " windows' fingerprints are the same taken twice",
        t);
  }

  private CheckResult keyCheck(Pipeline p, CapturedInput input) {
    long t = System.nanoTime();
    Optional<String> na = KeyCheck.notApplicable(p);
    if (na.isPresent()) {
      return result("key", Verdict.SKIPPED, na.get(), t);
    }
    return KeyCheck.firstAmbiguity(p, input)
        .map(why -> result("key", Verdict.FAIL, why, t))
        .orElseGet(
            () ->
                result(
                    "key",
                    Verdict.PASS,
                    "every key identifies one record"
                        + (p.target().orderBy().isEmpty()
                            ? ""
                            : " per " + String.join(", ", p.target().orderBy())),
                    t));
  }

  private CheckResult engineRead(CapturedInput input) {
    long t = System.nanoTime();
    try {
      for (Window w : windows) {
        List<String> captured = input.read(w.id()).stream().map(Verifier::describe).toList();
        for (var reader :
            List.of(
                Map.entry(engine + " again", original.source()),
                Map.entry("the jvm reader", reference))) {
          List<String> again = readAll(reader.getValue(), w);
          Optional<String> diff = firstDifference(captured, again);
          if (diff.isPresent()) {
            return result(
                "engine-read",
                Verdict.FAIL,
                "window " + w.id() + " read by " + reader.getKey() + ": " + diff.get(),
                t);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return result("engine-read", Verdict.FAIL, "a read failed: " + e.getMessage(), t);
    }
    return result(
        "engine-read",
        Verdict.PASS,
        engine + " read every window twice the same, record for record, as the jvm reader does",
        t);
  }

  private List<String> readAll(Source source, Window w) throws IOException {
    List<String> records = new ArrayList<>();
    try (RecordReader r = source.read(original.windows(), w)) {
      for (SourceRecord rec = r.next(); rec != null; rec = r.next()) {
        records.add(describe(rec));
      }
    }
    return records;
  }

  /** A record as text: its values with their types, position, raw input, problem, bad values. */
  private static String describe(SourceRecord r) {
    StringBuilder b = new StringBuilder();
    for (Object v : r.values()) {
      b.append(v == null ? "null" : v.getClass().getSimpleName() + ":" + v).append(", ");
    }
    return "["
        + b
        + "] at "
        + r.position()
        + " raw="
        + r.raw()
        + " problem="
        + r.problem()
        + " bad="
        + r.badValues();
  }

  private static Optional<String> firstDifference(List<String> expected, List<String> actual) {
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      if (!expected.get(i).equals(actual.get(i))) {
        return Optional.of(
            "record " + (i + 1) + " is " + actual.get(i) + ", was " + expected.get(i));
      }
    }
    if (expected.size() != actual.size()) {
      return Optional.of(actual.size() + " records, was " + expected.size());
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- helpers

  private Destination scratch(String label) {
    return scratches.apply(services.withOwner(label));
  }

  private RunReport run(
      Destination d, Pipeline p, List<Window> ws, RunOptions options, RunServices s) {
    RunReport report = new Runner(d, s).run(p, ws, options);
    for (WindowOutcome o : report.outcomes()) {
      if (o.result() == Result.LOADED && !o.counts().balanced()) {
        unbalanced.add(options.runId() + " window " + o.window().id() + ": " + o.counts());
      }
    }
    return report;
  }

  private CheckResult compare(
      String name, Destination d, Pipeline p, Snapshot expected, String passDetail, long t) {
    return compare(name, d, p, expected, passDetail, t, null);
  }

  private CheckResult compare(
      String name,
      Destination d,
      Pipeline p,
      Snapshot expected,
      String passDetail,
      long t,
      String hint) {
    List<String> key = p.target().key() == null ? List.of() : p.target().key().targetColumns();
    Optional<String> diff = Snapshot.of(d, p).differenceFrom(expected, key);
    return diff.map(why -> result(name, Verdict.FAIL, (hint == null ? "" : hint + ": ") + why, t))
        .orElseGet(() -> result(name, Verdict.PASS, passDetail, t));
  }

  private Window last() {
    return windows.get(windows.size() - 1);
  }

  private static String failures(RunReport r) {
    return r.outcomes().stream()
        .filter(o -> o.result() == Result.FAILED)
        .map(o -> o.window().id() + ": " + o.message())
        .toList()
        .toString();
  }

  private static CheckResult result(String check, Verdict verdict, String detail, long startNanos) {
    return new CheckResult(check, verdict, detail, (System.nanoTime() - startNanos) / 1_000_000);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
