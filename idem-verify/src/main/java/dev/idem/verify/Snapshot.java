package dev.idem.verify;

import dev.idem.destination.Destination;
import dev.idem.destination.SupportsVerification;
import dev.idem.ledger.WindowState;
import dev.idem.pipeline.Pipeline;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The state a run left behind: the target table as a multiset of rows (order-insensitive, sensitive
 * to duplicates), and the pipeline's ledger and its target's tombstones without what legitimately
 * differs between runs (run ids, times, attempts, owners, tokens, and the per-run counts).
 */
public record Snapshot(String table, List<String> rows, List<String> ledger) {
  /**
   * A rendered row is {@code col=value|col=value...}; a field starts at a '|' followed by a name
   * and '='.
   */
  private static final Pattern FIELD = Pattern.compile("\\|(?=[A-Za-z_][A-Za-z0-9_]*=)");

  private static final String WINDOW_FIELD = "_idem_window";
  private static final int SAMPLE = 2;
  private static final int WINDOWS_SHOWN = 3;

  public static Snapshot of(Destination destination, Pipeline pipeline) {
    String table = pipeline.target().table();
    List<String> rows = ((SupportsVerification) destination).tableRows(table);
    List<String> ledger = new ArrayList<>();
    for (WindowState s : destination.ledger().states(pipeline.name())) {
      ledger.add(
          s.windowId()
              + " "
              + s.status()
              + " input "
              + s.fingerprint()
              + " definition "
              + s.definitionHash());
    }
    // the tombstones too: a later window is loaded against them
    for (String t : ((SupportsVerification) destination).tombstones(pipeline)) {
      ledger.add("tombstone " + t);
    }
    ledger.sort(null);
    return new Snapshot(table, List.copyOf(rows), List.copyOf(ledger));
  }

  /**
   * How this state differs from {@code expected}, for a person: the table, each window that differs
   * with a sample of its missing and extra rows, and the columns that differ between rows of the
   * same key; empty when equal.
   */
  public Optional<String> differenceFrom(Snapshot expected, List<String> keyColumns) {
    if (rows.equals(expected.rows) && ledger.equals(expected.ledger)) {
      return Optional.empty();
    }
    List<String> parts = new ArrayList<>();
    if (!rows.equals(expected.rows)) {
      List<String> missing = minus(expected.rows, rows);
      List<String> extra = minus(rows, expected.rows);
      Map<String, List<String>> missingByWindow = byWindow(missing);
      Map<String, List<String>> extraByWindow = byWindow(extra);
      TreeSet<String> windows = new TreeSet<>(missingByWindow.keySet());
      windows.addAll(extraByWindow.keySet());
      String columns = differingColumns(missing, extra, keyColumns);
      parts.add(
          "table "
              + table
              + ": "
              + rows.size()
              + " rows, expected "
              + expected.rows.size()
              + (columns.isEmpty() ? "" : "; the missing and extra rows differ in " + columns));
      int shown = 0;
      for (String w : windows) {
        if (shown++ == WINDOWS_SHOWN) {
          parts.add("and " + (windows.size() - WINDOWS_SHOWN) + " more windows");
          break;
        }
        List<String> m = missingByWindow.getOrDefault(w, List.of());
        List<String> x = extraByWindow.getOrDefault(w, List.of());
        StringBuilder sb =
            new StringBuilder("window " + w + ": " + m.size() + " missing, " + x.size() + " extra");
        sample(sb, "missing", m);
        sample(sb, "extra", x);
        parts.add(sb.toString());
      }
    }
    if (!ledger.equals(expected.ledger)) {
      parts.add(
          "ledger: missing "
              + minus(expected.ledger, ledger)
              + ", extra "
              + minus(ledger, expected.ledger));
    }
    return Optional.of(String.join("; ", parts));
  }

  private static void sample(StringBuilder sb, String label, List<String> rows) {
    if (!rows.isEmpty()) {
      sb.append("; e.g. ")
          .append(label)
          .append(' ')
          .append(rows.subList(0, Math.min(SAMPLE, rows.size())));
    }
  }

  /** Multiset difference a - b of two sorted lists. */
  static List<String> minus(List<String> a, List<String> b) {
    Map<String, Integer> counts = new HashMap<>();
    b.forEach(r -> counts.merge(r, 1, Integer::sum));
    List<String> out = new ArrayList<>();
    for (String r : a) {
      Integer n = counts.get(r);
      if (n == null || n == 0) {
        out.add(r);
      } else {
        counts.put(r, n - 1);
      }
    }
    return out;
  }

  static Map<String, String> fields(String row) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String part :
        FIELD.split(
            row, -1)) { // a field follows each separator, so there is no empty tail to keep or drop
      int eq = part.indexOf('=');
      f.put(part.substring(0, eq), part.substring(eq + 1));
    }
    return f;
  }

  private static Map<String, List<String>> byWindow(List<String> rows) {
    Map<String, List<String>> by = new TreeMap<>();
    for (String r : rows) {
      by.computeIfAbsent(
              fields(r).getOrDefault(WINDOW_FIELD, "(no lineage column)"), k -> new ArrayList<>())
          .add(r);
    }
    return by;
  }

  /**
   * Columns whose values differ between a missing and an extra row with the same key; without a
   * key, the columns that differ in every pair of missing and extra rows taken in sorted order.
   */
  private static String differingColumns(
      List<String> missing, List<String> extra, List<String> keyColumns) {
    TreeSet<String> columns = new TreeSet<>();
    if (keyColumns.isEmpty()) {
      if (missing.size() != extra.size() || missing.isEmpty()) {
        return "";
      }
      for (int i = 0; i < missing.size(); i++) {
        TreeSet<String> pair = new TreeSet<>();
        Map<String, String> other = fields(extra.get(i));
        fields(missing.get(i))
            .forEach(
                (c, v) -> {
                  if (!v.equals(other.get(c))) {
                    pair.add(c);
                  }
                });
        if (i == 0) {
          columns.addAll(pair);
        } else {
          columns.retainAll(pair);
        }
      }
      return String.join(", ", columns);
    }
    Map<List<String>, Map<String, String>> extraByKey = new HashMap<>();
    for (String r : extra) {
      Map<String, String> f = fields(r);
      extraByKey.put(keyColumns.stream().map(f::get).toList(), f);
    }
    for (String r : missing) {
      Map<String, String> f = fields(r);
      Map<String, String> other = extraByKey.get(keyColumns.stream().map(f::get).toList());
      if (other != null) {
        f.forEach(
            (c, v) -> {
              if (!v.equals(other.get(c))) {
                columns.add(c);
              }
            });
      }
    }
    return String.join(", ", columns);
  }
}
