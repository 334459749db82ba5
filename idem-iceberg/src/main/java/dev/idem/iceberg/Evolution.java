package dev.idem.iceberg;

import dev.idem.DataException;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.Schema;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * {@code schema_drift: evolve} for one window of an Iceberg table: the columns the input gained
 * (staged after the pipeline's staged columns), and the schema update that gives the table those
 * columns in the window's own commit. A column the table lacks is added as optional; one it has is
 * staged as the table's type, widened where Iceberg allows it (an int to idem's long, a decimal's
 * precision); a column whose table type idem cannot load is refused in one line.
 */
final class Evolution {
  private final String table;
  private final List<Column> added = new ArrayList<>();

  Evolution(String table) {
    this.table = table;
  }

  /** The columns staged so far, in the order they came. */
  List<Column> added() {
    return added;
  }

  /** Stages {@code proposed} against the table's schema {@code current}; returns it as staged. */
  Column stage(Column proposed, Schema current) {
    if (proposed.name().startsWith("_idem_")) {
      throw new DataException(
          "input column '"
              + proposed.name()
              + "' uses idem's reserved prefix _idem_: it cannot be added to iceberg table "
              + table);
    }
    Column staged =
        proposed.nullable() ? proposed : new Column(proposed.name(), proposed.type(), true);
    Types.NestedField existing = current.findField(proposed.name());
    if (existing != null) {
      Type wanted = TableSchema.type(staged.type());
      if (!existing.type().equals(wanted) && !widens(existing.type(), wanted)) {
        DataType type =
            dataType(existing.type())
                .orElseThrow(
                    () ->
                        new DataException(
                            "iceberg table "
                                + table
                                + ": column "
                                + proposed.name()
                                + " is "
                                + existing.type()
                                + ", which idem cannot load the input's "
                                + proposed.type()
                                + " values into: declare the column in the pipeline"));
        staged = new Column(proposed.name(), type, true);
      }
    }
    added.add(staged);
    return staged;
  }

  /**
   * Adds to {@code update} what the table {@code current} needs for the staged columns: the missing
   * ones (optional), the widened ones. Returns whether it changes anything.
   */
  boolean update(UpdateSchema update, Schema current) {
    boolean changes = false;
    for (Column c : added) {
      Type wanted = TableSchema.type(c.type());
      Types.NestedField existing = current.findField(c.name());
      if (existing == null) {
        update.addColumn(c.name(), wanted);
        changes = true;
      } else if (widens(existing.type(), wanted)) {
        update.updateColumn(c.name(), wanted.asPrimitiveType());
        changes = true;
      } else if (!existing.type().equals(wanted)) {
        throw new dev.idem.TransientException(
            "iceberg table "
                + table
                + ": column "
                + c.name()
                + " became "
                + existing.type()
                + " while the window was staged as "
                + c.type()
                + " (another window changed it): retrying",
            null);
      }
    }
    return changes;
  }

  /** Whether Iceberg allows widening a column of type {@code from} to {@code to}. */
  private static boolean widens(Type from, Type to) {
    return to.isPrimitiveType()
        && !from.equals(to)
        && TypeUtil.isPromotionAllowed(from, to.asPrimitiveType());
  }

  /** The idem type of an Iceberg column type, if idem loads it. */
  static Optional<DataType> dataType(Type t) {
    return switch (t.typeId()) {
      case STRING -> Optional.of(DataType.STRING);
      case INTEGER, LONG -> Optional.of(DataType.INTEGER); // an int column is widened to long
      case BOOLEAN -> Optional.of(DataType.BOOLEAN);
      case DATE -> Optional.of(DataType.DATE);
      case DECIMAL -> {
        Types.DecimalType d = (Types.DecimalType) t;
        yield Optional.of(DataType.decimal(d.precision(), d.scale()));
      }
      case TIMESTAMP ->
          Optional.of(
              ((Types.TimestampType) t).shouldAdjustToUTC()
                  ? DataType.TIMESTAMPTZ
                  : DataType.TIMESTAMP);
      default -> Optional.empty();
    };
  }
}
