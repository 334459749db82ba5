package dev.idem.pipeline;

import dev.idem.ConfigException;
import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;

/**
 * How an incoming record says "this key is deleted" (merge only): a boolean column that is true
 * ({@code delete_flag: col}), a column whose value is set (Airbyte's {@code _ab_cdc_deleted_at}),
 * or a column equal to a value (Debezium's {@code op = 'd'}, compared as text). The column need not
 * be stored in the target: it may be an input or transform column the target does not declare.
 *
 * <p>{@code retention} is how long a delete's tombstone is kept (null: forever, the default). A
 * tombstone older than that is forgotten, and from then on a late version older than the delete can
 * bring the key back: choose a retention longer than any window can arrive late or be re-run.
 */
public record DeleteRule(String column, Kind kind, String value, Duration retention)
    implements Serializable {
  /** The three conventions. */
  public enum Kind {
    /** The column is true. */
    BOOLEAN,
    /** The column holds a value (is not NULL). */
    NOT_NULL,
    /** The column, as text, equals {@link #value()}. */
    EQUALS
  }

  public DeleteRule {
    if (column == null || column.isBlank()) {
      throw new ConfigException("a delete rule needs a column");
    }
    if (kind == null) {
      throw new ConfigException("a delete rule needs a kind: boolean, not_null or equals");
    }
    if ((kind == Kind.EQUALS) != (value != null)) {
      throw new ConfigException(
          kind == Kind.EQUALS
              ? "delete rule on '" + column + "': equals needs a value"
              : "delete rule on '" + column + "': only equals takes a value");
    }
    if (retention != null && (retention.isNegative() || retention.isZero())) {
      throw new ConfigException(
          "tombstone_retention must be longer than 0 (leave it out to keep tombstones forever)");
    }
  }

  /** The same rule, its tombstones kept for {@code retention} (null: forever). */
  public DeleteRule retainedFor(Duration retention) {
    return new DeleteRule(column, kind, value, retention);
  }

  /** {@code column} true means deleted: the {@code delete_flag} form. */
  public static DeleteRule flag(String column) {
    return new DeleteRule(column, Kind.BOOLEAN, null, null);
  }

  /** {@code column} not NULL means deleted. */
  public static DeleteRule notNull(String column) {
    return new DeleteRule(column, Kind.NOT_NULL, null, null);
  }

  /** {@code column} equal to {@code value} (compared as text) means deleted. */
  public static DeleteRule equalTo(String column, String value) {
    return new DeleteRule(column, Kind.EQUALS, value, null);
  }

  /**
   * The canonical text of the rule, for the definition hash: the bare column for the boolean form,
   * so pipelines written with {@code delete_flag} keep the hash they had.
   */
  public String describe() {
    return switch (kind) {
      case BOOLEAN -> column;
      case NOT_NULL -> column + " not_null";
      case EQUALS -> column + " equals " + value;
    };
  }

  /** The kind as written in a pipeline file. */
  public String label() {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
