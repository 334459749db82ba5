package dev.idem.bench;

import dev.idem.run.RunReport;
import dev.idem.run.WindowOutcome;
import dev.idem.run.WindowTimings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A bench's cases: each timed (wall and CPU, so a reader sees how many cores a case kept busy) with
 * the runner's phase timers when it is an idem run, printed as it ends and again as one table.
 */
final class Cases {
  /** One case's work; returns the idem run's report, or null for a case that is not one. */
  interface Work {
    RunReport run() throws Exception;
  }

  private final CpuClock cpu;
  private final int repeats;
  private final List<String> lines = new ArrayList<>();
  private final Map<String, Double> cpuSeconds = new HashMap<>();

  Cases(CpuClock cpu, int repeats) {
    this.cpu = cpu;
    this.repeats = repeats;
  }

  /** Runs {@code work} once; returns rows per second. */
  double time(String id, String what, long rows, Work work) throws Exception {
    System.out.printf(Locale.ROOT, "(%s) %s ...%n", id, what);
    System.gc();
    double c0 = cpuNow();
    long t0 = System.nanoTime();
    RunReport r = work.run();
    double s = (System.nanoTime() - t0) / 1e9;
    record(id, what, rows, s, cpuNow() - c0, phases(r));
    return rows / s;
  }

  /** Runs {@code work} {@code repeats} times (one window is too short to time once): the median. */
  double median(String id, String what, long rows, Work work) throws Exception {
    System.out.printf(Locale.ROOT, "(%s) %s, %d runs ...%n", id, what, repeats);
    double[] s = new double[repeats];
    double[] c = new double[repeats];
    String[] phases = new String[repeats];
    for (int i = 0; i < repeats; i++) {
      System.gc();
      double c0 = cpuNow();
      long t0 = System.nanoTime();
      RunReport r = work.run();
      s[i] = (System.nanoTime() - t0) / 1e9;
      c[i] = cpuNow() - c0;
      phases[i] = phases(r);
      System.out.printf(Locale.ROOT, "     %.2f s, cpu %.2f s %s%n", s[i], c[i], phases[i]);
    }
    int m = 0; // the median run: its CPU and phases are shown with its time
    for (int i = 0; i < repeats; i++) {
      int below = 0;
      for (double x : s) {
        below += x < s[i] ? 1 : 0;
      }
      m = below == repeats / 2 ? i : m;
    }
    record(id, what + " (median of " + repeats + ")", rows, s[m], c[m], phases[m]);
    return rows / s[m];
  }

  private double cpuNow() {
    return cpu.jvm() + cpu.postgres();
  }

  /** The CPU seconds case {@code id} took (its median run's, for a repeated case). */
  double cpu(String id) {
    return cpuSeconds.get(id);
  }

  private void record(String id, String what, long rows, double s, double cpuS, String phases) {
    cpuSeconds.put(id, cpuS);
    String l =
        String.format(
            Locale.ROOT,
            "%-6s %-62s %11s rows/s %7.2f s  cpu %6.2f s (%3.0f%%) %s",
            id,
            what,
            String.format(Locale.ROOT, "%,.0f", rows / s),
            s,
            cpuS,
            100 * cpuS / s,
            phases);
    System.out.println(l);
    lines.add(l);
  }

  /** Prints every case again, as one table. */
  void table() {
    System.out.println();
    System.out.println("cpu: CPU time of this JVM (and of PostgreSQL, if any) during the case;");
    System.out.println("     % of one core: 200% keeps both cores of a 2-core machine busy");
    lines.forEach(System.out::println);
    System.out.println();
  }

  static void ratio(String name, double x) {
    System.out.printf(Locale.ROOT, "%-46s %8.3f%n", name, x);
  }

  static String human(long n) {
    return n % 1_000_000 == 0
        ? n / 1_000_000 + "M"
        : n % 1000 == 0 ? n / 1000 + "k" : Long.toString(n);
  }

  /** The runner's phase timers summed over the windows; "other" is claims and ledger reads. */
  private static String phases(RunReport r) {
    if (r == null) {
      return "";
    }
    Duration read = Duration.ZERO;
    Duration stage = Duration.ZERO;
    Duration apply = Duration.ZERO;
    Duration commit = Duration.ZERO;
    Duration total = Duration.ZERO;
    for (WindowOutcome o : r.outcomes()) {
      WindowTimings t = o.timings();
      read = read.plus(t.read());
      stage = stage.plus(t.stage());
      apply = apply.plus(t.apply());
      commit = commit.plus(t.commit());
      total = total.plus(t.total());
    }
    Duration other = total.minus(read).minus(stage).minus(apply).minus(commit);
    return String.format(
        Locale.ROOT,
        "[read %.2f stage %.2f apply %.2f commit %.2f other %.2f s]",
        read.toMillis() / 1e3,
        stage.toMillis() / 1e3,
        apply.toMillis() / 1e3,
        commit.toMillis() / 1e3,
        other.toMillis() / 1e3);
  }
}
