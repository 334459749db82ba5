package dev.idem.jdbc;

import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * The reference model of a {@code merge} target with {@code order_by} and a delete flag, and the
 * random scenarios it is compared with (see {@link VersionModelSuite}).
 *
 * <p>A record's version: its order value, NULL least; on equal order values across windows the
 * earlier window wins; within one window a delete beats an upsert, then the value greatest first,
 * NULL last. A key's final state is its greatest version over every window ever loaded, whatever
 * the order windows ran in, forced re-runs and concurrent runners; a winning delete leaves the key
 * absent.
 */
public final class VersionModel {
  private VersionModel() {}

  /** Few keys, few order values (ties are common), NULLs included. */
  static final int KEYS = 3;

  static final int MAX_ORDER = 2;

  static final int MAX_WINDOWS = 4;
  static final int MAX_RECORDS = 4;
  static final int MAX_STEPS = 6;

  /** One input record: an upsert of {@code value} or a delete, at order value {@code order}. */
  record Version(long key, Long order, boolean delete, String value) {
    @Override
    public String toString() {
      return "k" + key + (delete ? " del" : " up") + "@" + order + (delete ? "" : "=" + value);
    }
  }

  /** The records of one day window; its index in the scenario gives its day (and its order). */
  record WindowInput(int index, List<Version> records) {
    LocalDate day() {
      return LocalDate.of(2024, 3, 1).plusDays(index);
    }

    String id() {
      return day().toString();
    }

    @Override
    public String toString() {
      return id() + " " + records;
    }
  }

  /** A step of a scenario. */
  sealed interface Step permits Load, Race {}

  /** One runner loads one window, forced or not (a done, unchanged window is then skipped). */
  record Load(int window, boolean force) implements Step {
    String describe(List<WindowInput> windows) {
      return (force ? "force " : "load ") + windows.get(window).id();
    }
  }

  /** Two runners, each its own destination instance, load two windows at the same time. */
  record Race(Load first, Load second) implements Step {}

  /**
   * Windows, then the steps that load them. Steps are generated apart from the windows (so that
   * each shrinks on its own) and name windows by any index: it is taken modulo the number of
   * windows, and the two windows of a race are made distinct (a race needs two windows).
   */
  public record Scenario(List<WindowInput> windows, List<Step> steps) {
    public Scenario {
      int n = windows.size();
      steps =
          steps.stream()
              .map(
                  s -> {
                    if (s instanceof Race r) {
                      int first = r.first().window() % n;
                      if (n < 2) {
                        return (Step) new Load(first, r.first().force());
                      }
                      int second = (first + 1 + r.second().window() % (n - 1)) % n;
                      return new Race(
                          new Load(first, r.first().force()), new Load(second, r.second().force()));
                    }
                    Load l = (Load) s;
                    return new Load(l.window() % n, l.force());
                  })
              .toList();
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("\n  windows:");
      windows.forEach(w -> sb.append("\n    ").append(w));
      sb.append("\n  steps:");
      for (Step s : steps) {
        sb.append("\n    ")
            .append(
                s instanceof Race r
                    ? "race " + r.first().describe(windows) + " | " + r.second().describe(windows)
                    : ((Load) s).describe(windows));
      }
      return sb.append('\n').toString();
    }
  }

  static Arbitrary<Scenario> scenarios() {
    Arbitrary<Version> version =
        Combinators.combine(
                Arbitraries.longs().between(1, KEYS),
                Arbitraries.longs().between(0, MAX_ORDER).injectNull(0.25),
                Arbitraries.frequency(Tuple.of(2, false), Tuple.of(1, true)),
                Arbitraries.of("a", "b").injectNull(0.2))
            .as(Version::new);
    Arbitrary<List<WindowInput>> windows =
        version
            .list()
            .ofMinSize(1)
            .ofMaxSize(MAX_RECORDS)
            .list()
            .ofMinSize(1)
            .ofMaxSize(MAX_WINDOWS)
            .map(
                inputs ->
                    IntStream.range(0, inputs.size())
                        .mapToObj(i -> new WindowInput(i, inputs.get(i)))
                        .toList());
    Arbitrary<Integer> window = Arbitraries.integers().between(0, MAX_WINDOWS - 1);
    Arbitrary<Boolean> force = Arbitraries.of(false, true);
    Arbitrary<Load> load = Combinators.combine(window, force).as(Load::new);
    Arbitrary<Step> race =
        Combinators.combine(load, load).as((first, second) -> new Race(first, second));
    Arbitrary<Step> step =
        Arbitraries.frequencyOf(Tuple.of(3, load.map(l -> l)), Tuple.of(1, race));
    return Combinators.combine(windows, step.list().ofMinSize(1).ofMaxSize(MAX_STEPS))
        .as(Scenario::new);
  }

  private static final Schema COLUMNS =
      Schema.of(
          Column.of("k", DataType.INTEGER),
          Column.of("day", DataType.DATE),
          Column.of("ver", DataType.INTEGER),
          // before v: a delete beats an upsert of the same order value in a window, whatever v
          Column.of("gone", DataType.BOOLEAN),
          Column.of("v", DataType.STRING));

  /**
   * A {@code merge} pipeline (and its table) named {@code name}, keyed by {@code k}, ordered by
   * {@code ver}, over day windows holding these records; deleting with the flag {@code gone} when a
   * record is a delete (without, {@code gone} is a plain column, and PostgreSQL may load a window
   * straight into the target: {@code DirectLoad}).
   */
  static Pipeline pipeline(String name, List<WindowInput> windows) {
    ListSource source = new ListSource(COLUMNS);
    boolean deletes = false;
    for (WindowInput w : windows) {
      for (Version v : w.records()) {
        source.add(v.key(), w.day(), v.order(), v.delete(), v.value());
        deletes |= v.delete();
      }
    }
    Pipeline.Builder b =
        Pipeline.builder(name)
            .version("1")
            .source(source)
            .windows(WindowSpec.day("day", ZoneOffset.UTC))
            .table(name)
            .key(KeySpec.columns("k"))
            .orderBy("ver")
            .strategy(WriteStrategy.MERGE);
    return (deletes ? b.deleteFlag("gone") : b).build();
  }

  /** As {@link #scenarios}, with every delete an upsert: merges without a delete rule. */
  static Arbitrary<Scenario> upsertScenarios() {
    return scenarios()
        .map(
            s ->
                new Scenario(
                    s.windows().stream()
                        .map(
                            w ->
                                new WindowInput(
                                    w.index(),
                                    w.records().stream()
                                        .map(v -> new Version(v.key(), v.order(), false, v.value()))
                                        .toList()))
                        .toList(),
                    s.steps()));
  }

  /** Which version of one key wins, the greatest last. */
  private static final Comparator<Versioned> ORDER =
      Comparator.comparing(
              (Versioned v) -> v.version().order(),
              Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(Versioned::window, Comparator.reverseOrder())
          .thenComparing(v -> v.version().delete())
          .thenComparing(
              v -> v.version().value(), Comparator.nullsFirst(Comparator.naturalOrder()));

  private record Versioned(Version version, int window) {}

  /**
   * The target the model expects after the windows {@code loaded} were loaded, each row rendered as
   * {@link #render} does: one row per key whose greatest version is an upsert.
   */
  static List<String> expected(Scenario scenario, Set<Integer> loaded) {
    Map<Long, Versioned> best = new TreeMap<>();
    for (int w : loaded) {
      for (Version v : scenario.windows().get(w).records()) {
        best.merge(v.key(), new Versioned(v, w), (a, b) -> ORDER.compare(a, b) >= 0 ? a : b);
      }
    }
    return best.values().stream()
        .filter(v -> !v.version().delete())
        .map(
            v ->
                render(
                    v.version().key(),
                    v.version().order(),
                    v.version().value(),
                    scenario.windows().get(v.window()).id()))
        .sorted()
        .collect(Collectors.toCollection(ArrayList::new));
  }

  /** A target row as {@link #projection} reads it back through {@code tableRows}. */
  static String render(long key, Long order, String value, String window) {
    return "k=" + key + "|ver=" + order + "|v=" + value + "|w=" + window;
  }

  /** The relation that reads a target's rows as {@link #render} writes them. */
  static String projection(String table) {
    return "(SELECT k, ver, v, _idem_window AS w FROM " + table + ")";
  }
}
