package dev.idem.cli.pipelinefile;

import dev.idem.connector.Section;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys a pipeline file may hold, section by section (a connector's section is free here: its
 * factory checks it). Used to reject unknown keys (with a suggestion) and to check {@code --set}
 * paths before they are applied.
 */
final class Layout {
  /** Marks a section whose keys are free (column names, JDBC properties). */
  static final List<String> ANY = List.of();

  private static final Map<String, List<String>> SECTIONS =
      Map.of(
          "",
              List.of(
                  "pipeline",
                  "version",
                  "source",
                  "columns",
                  "windows",
                  "transform",
                  "target",
                  "destination",
                  "max_bad_records",
                  "max_bad_ratio",
                  "on_bad_value",
                  "schema_drift",
                  "lineage",
                  // a list of hooks, checked by the notifier factory that binds it
                  "notify"),
          // a source or destination section belongs to its connector, which checks its keys when it
          // binds
          "source", ANY,
          "columns", ANY,
          "windows", List.of("kind", "column", "zone"),
          "transform", List.of("sql"),
          "target",
              List.of(
                  "table",
                  "columns",
                  "key",
                  "strategy",
                  "order_by",
                  "delete_flag",
                  "deletes",
                  "tombstone_retention"),
          "target.columns", ANY,
          "target.key", List.of("hash"),
          "destination", ANY,
          "lineage", List.of("url", "api_key", "file", "namespace"));

  private Layout() {}

  /** The keys allowed in a section, {@link #ANY} for free ones; empty if the path is no section. */
  static Optional<List<String>> keys(String section) {
    return Optional.ofNullable(SECTIONS.get(section));
  }

  /** "unknown key 'strtegy' in target: expected one of table, ... (did you mean 'strategy'?)" */
  static String unknownKey(String key, String section, List<String> allowed) {
    return Section.unknownKey(key, section, allowed);
  }
}
