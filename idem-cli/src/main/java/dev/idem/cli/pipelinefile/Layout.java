package dev.idem.cli.pipelinefile;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys a pipeline file may hold, section by section. Used to reject unknown keys (with a
 * suggestion) and to check {@code --set} paths before they are applied.
 */
final class Layout {
  /** Marks a section whose keys are free (column names, JDBC properties). */
  static final List<String> ANY = List.of();

  private static final Map<String, List<String>> SECTIONS = Map.of(
      "", List.of("pipeline", "version", "source", "columns", "windows", "transform", "target", "destination", "max_bad_records",
          "max_bad_ratio", "schema_drift"),
      // jdbc sources take JDBC connection properties besides their own keys: checked when bound
      "source", ANY,
      "columns", ANY,
      "windows", List.of("kind", "column", "zone"),
      "transform", List.of("sql"),
      "target", List.of("table", "columns", "key", "strategy", "order_by", "delete_flag"),
      "target.columns", ANY,
      "target.key", List.of("hash"),
      "destination", ANY);

  /** The keys of a csv or jsonl source. */
  static final List<String> FILE_SOURCE = List.of("type", "path", "delimiter", "quote", "header", "null", "encoding");

  /** The keys of a jdbc source itself; any other key of it is a JDBC connection property. */
  static final List<String> JDBC_SOURCE = List.of("type", "url", "query", "fingerprint_query", "lag", "fetch_size");

  /** The keys of a kafka source itself; any other key of it is a Kafka client property. */
  static final List<String> KAFKA_SOURCE = List.of("type", "bootstrap_servers", "topic", "max_records", "start_from", "read_timeout");

  /** The keys of a kafka destination itself; any other key of it is a Kafka client property. */
  static final List<String> KAFKA_DESTINATION = List.of("type", "bootstrap_servers", "ledger_topic", "partitions", "replication_factor",
      "id_prefix", "transaction_timeout", "timeout");

  private Layout() {}

  /** The keys allowed in a section, {@link #ANY} for free ones; empty if the path is no section. */
  static Optional<List<String>> keys(String section) {
    return Optional.ofNullable(SECTIONS.get(section));
  }

  /** "unknown key 'strtegy' in target: expected one of table, ... (did you mean 'strategy'?)" */
  static String unknownKey(String key, String section, List<String> allowed) {
    String in = section.isEmpty() ? "at the top level" : "in " + section;
    String hint = closest(key, allowed).map(s -> " (did you mean '" + s + "'?)").orElse("");
    return "unknown key '" + key + "' " + in + ": expected one of " + String.join(", ", allowed) + hint;
  }

  private static Optional<String> closest(String key, List<String> allowed) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String a : allowed) {
      int d = distance(key.toLowerCase(java.util.Locale.ROOT), a);
      if (d < bestDistance) {
        best = a;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(2, key.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
