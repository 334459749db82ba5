package dev.idem.pipeline;

import dev.idem.ConfigException;
import dev.idem.key.KeySpec;
import dev.idem.schema.Column;
import dev.idem.schema.Schema;
import dev.idem.source.MakesDeletes;
import dev.idem.source.Source;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The pipeline's side of a source that makes deletes ({@link MakesDeletes}, a Kafka source with
 * {@code null_value: delete}): the delete rule it implies, the target columns without its delete
 * column, and the checks that make its deletes safe (a merge keyed by input fields, with versions).
 */
final class SourceDeletes {
  private static final String FIELD = "source.null_value";

  private SourceDeletes() {}

  /** The column the source marks its deletes with, if it makes any. */
  static Optional<String> column(Source source) {
    return source instanceof MakesDeletes m ? m.deleteColumn() : Optional.empty();
  }

  /** The target's default columns: the input's, but the source's delete column. */
  static Schema defaultTargetColumns(Source source) {
    Optional<String> column = column(source);
    if (column.isEmpty()) {
      return source.schema();
    }
    List<Column> kept =
        source.schema().columns().stream().filter(c -> !c.name().equals(column.get())).toList();
    return new Schema(kept);
  }

  /** The declared delete rule, or the one the source implies; refused when they disagree. */
  static DeleteRule rule(
      Source source,
      DeleteRule declared,
      KeySpec key,
      WriteStrategy strategy,
      List<String> orderBy) {
    Optional<String> column = column(source);
    if (column.isEmpty()) {
      return declared;
    }
    String c = column.get();
    if (declared != null
        && (!declared.column().equals(c) || declared.kind() != DeleteRule.Kind.BOOLEAN)) {
      throw refused(
          "a null value is a delete marked by %s: the target's delete rule must be delete_flag: %s"
              + " or left out, not %s",
          c, c, declared.describe());
    }
    if (strategy != WriteStrategy.MERGE) {
      throw refused(
          "a null value is a delete, which needs strategy merge, not %s", strategy.label());
    }
    if (key == null) {
      throw refused("a null value deletes its key, which needs a target key");
    }
    for (String f : key.fields()) {
      if (source.schema().indexOf(f) < 0) {
        throw refused("a null value deletes its key, and key field '%s' is not an input column", f);
      }
    }
    if (orderBy.isEmpty()) {
      throw refused(
          "a null value is a delete, which needs versions: add order_by: _kafka_offset to the"
              + " target (and _kafka_offset: integer to columns) so that a key's latest record wins");
    }
    return declared != null ? declared : DeleteRule.flag(c);
  }

  /** The source, told the key fields its deletes carry. */
  static Source keyed(Source source, KeySpec key) {
    if (source instanceof MakesDeletes m && m.deleteColumn().isPresent() && key != null) {
      return m.keyedBy(key.fields());
    }
    return source;
  }

  private static ConfigException refused(String format, Object... args) {
    return new ConfigException(FIELD, String.format(Locale.ROOT, format, args), null);
  }
}
