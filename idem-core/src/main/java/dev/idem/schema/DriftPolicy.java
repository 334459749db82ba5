package dev.idem.schema;

import dev.idem.ConfigException;
import java.util.List;
import java.util.Locale;

/**
 * What a pipeline does when the schema its source shows in a window differs from the declared one
 * (the pipeline file's {@code schema_drift}), modelled on dlt's schema contracts. The drift is a
 * {@link SchemaDiff}: columns the input added, declared columns it lacks (removed), and declared
 * columns holding a value that is not of their type (retyped).
 *
 * <ul>
 *   <li>{@link #EVOLVE}: added columns become new nullable columns of the target, in the window's
 *       transaction; a removed column loads as NULL (refused for a column declared not null); a
 *       retyped value makes its record a bad record (dead letter). A column's type is never
 *       changed, and a value is never narrowed to fit.
 *   <li>{@link #FREEZE}: any drift fails the window, with the diff as its one-line error.
 *   <li>{@link #DISCARD} (the default): added columns are dropped, counted in the ledger (columns
 *       and non-null values); a removed column fails the window, except where an absent value has
 *       always meant null (JSON lines); a retyped value makes its record a bad record.
 * </ul>
 *
 * <p>The default keeps what idem always did with undeclared input columns, ignoring them, and now
 * counts what is dropped: the declared columns are the contract, a projection of wider input is
 * what a declared schema means, and neither failing every load of a widened file (freeze) nor
 * altering a table unasked (evolve) is a safe default.
 */
public enum DriftPolicy {
  EVOLVE,
  FREEZE,
  DISCARD;

  public static final DriftPolicy DEFAULT = DISCARD;

  /** The name used in pipeline files: {@code evolve}, {@code freeze}, {@code discard}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DriftPolicy parse(String text) {
    for (DriftPolicy p : values()) {
      if (p.label().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new ConfigException("unknown policy '" + text + "': expected evolve, freeze or discard");
  }

  /**
   * Why a window whose input shows {@code diff} (of {@code observed}) must fail under this policy,
   * or null when it may load. Retyped values are not judged here except by {@link #FREEZE}: the
   * others dead-letter their records.
   */
  public String violation(SchemaDiff diff, ObservedSchema observed) {
    Schema declared = observed.declared();
    boolean absentIsNull = observed.absentMeansNull();
    if (diff.isEmpty()) {
      return null;
    }
    return switch (this) {
      case FREEZE -> diff.describe() + " (schema_drift: freeze fails a window on any drift)";
      case DISCARD ->
          diff.removed().isEmpty() || absentIsNull
              ? null
              : diff.describe()
                  + " (schema_drift: discard drops added columns but loads no declared column the input lacks:"
                  + " restore it, or use evolve to load it as NULL)";
      case EVOLVE -> {
        List<String> notNull =
            diff.removed().stream()
                .filter(name -> declared.find(name).map(c -> !c.nullable()).orElse(false))
                .toList();
        yield notNull.isEmpty()
            ? null
            : diff.describe()
                + " (schema_drift: evolve loads a removed column as NULL, but "
                + SchemaDiff.names(notNull)
                + (notNull.size() == 1 ? " is" : " are")
                + " declared not null)";
      }
    };
  }
}
