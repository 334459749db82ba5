package dev.idem.iceberg;

import dev.idem.ConfigException;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The Iceberg table a pipeline writes: its stored columns, then {@code _idem_window} (the window
 * that wrote the row, the identity partition, so a window's rows are whole data files) and {@code
 * _idem_window_order} (that window's order key, for version ties: ADR 0003). Values move between
 * idem's staged Java values and Iceberg's generic records here and only here.
 */
final class TableSchema {
  static final String WINDOW = "_idem_window";
  static final String WINDOW_ORDER = "_idem_window_order";

  private final dev.idem.schema.Schema stored;
  private final Schema iceberg;
  private final PartitionSpec spec;
  private final List<Column> added;

  /** The layout of the last table schema records were made for (one, unless it evolves). */
  private volatile Layout layout;

  private TableSchema(dev.idem.schema.Schema stored) {
    this.stored = stored;
    List<Types.NestedField> fields = new ArrayList<>();
    int id = 1;
    for (Column c : stored.columns()) {
      fields.add(Types.NestedField.optional(id++, c.name(), type(c.type())));
    }
    fields.add(Types.NestedField.required(id++, WINDOW, Types.StringType.get()));
    fields.add(Types.NestedField.optional(id, WINDOW_ORDER, Types.StringType.get()));
    this.iceberg = new Schema(fields);
    this.spec = PartitionSpec.builderFor(iceberg).identity(WINDOW).build();
    this.added = List.of();
  }

  private TableSchema(
      dev.idem.schema.Schema stored, Schema iceberg, PartitionSpec spec, List<Column> added) {
    this.stored = stored;
    this.iceberg = iceberg;
    this.spec = spec;
    this.added = List.copyOf(added);
  }

  static TableSchema of(Pipeline pipeline) {
    return new TableSchema(pipeline.target().storedColumns());
  }

  /**
   * This schema for a window under {@code schema_drift: evolve}, written as the table's (evolved)
   * schema {@code table}: its stored columns are the declared ones, then the table's other columns
   * idem can load (NULL unless the window's input has them: whole rows, as on the JDBC
   * destinations), with {@code added} staged after the pipeline's staged columns.
   */
  TableSchema evolved(Schema table, List<Column> added) {
    List<Column> columns = new ArrayList<>(stored.columns());
    for (Types.NestedField f : table.columns()) {
      if (!f.name().startsWith("_idem_") && stored.indexOf(f.name()) < 0) {
        Evolution.dataType(f.type()).ifPresent(t -> columns.add(new Column(f.name(), t, true)));
      }
    }
    return new TableSchema(new dev.idem.schema.Schema(columns), table, spec, added);
  }

  /** The staged columns of a window's rows: the pipeline's, then those evolve added. */
  dev.idem.schema.Schema staged(Pipeline pipeline) {
    if (added.isEmpty()) {
      return pipeline.stagedColumns();
    }
    List<Column> all = new ArrayList<>(pipeline.stagedColumns().columns());
    all.addAll(added);
    return new dev.idem.schema.Schema(all);
  }

  dev.idem.schema.Schema stored() {
    return stored;
  }

  Schema iceberg() {
    return iceberg;
  }

  PartitionSpec spec() {
    return spec;
  }

  int width() {
    return stored.size();
  }

  /** The Iceberg type idem writes a column of type {@code t} as. */
  static Type type(DataType t) {
    return switch (t.kind()) {
      case STRING, JSON -> Types.StringType.get();
      case INTEGER -> Types.LongType.get();
      case DECIMAL -> Types.DecimalType.of(t.precision(), t.scale());
      case BOOLEAN -> Types.BooleanType.get();
      case DATE -> Types.DateType.get();
      case TIMESTAMP -> Types.TimestampType.withoutZone();
      case TIMESTAMPTZ -> Types.TimestampType.withZone();
    };
  }

  /**
   * Checks that an existing table can hold the pipeline's rows: every stored column present with
   * the same type, and idem's two columns. Extra columns of the table are left alone (NULL).
   */
  void checkCompatible(String table, Schema existing, PartitionSpec existingSpec) {
    if (existingSpec.fields().size() != 1
        || !existingSpec.fields().get(0).transform().isIdentity()
        || !WINDOW.equals(existing.findColumnName(existingSpec.fields().get(0).sourceId()))) {
      throw new ConfigException(
          "iceberg table "
              + table
              + " is partitioned by "
              + existingSpec.fields()
              + ": expected identity("
              + WINDOW
              + ") alone, by which idem addresses a window's rows");
    }
    for (Types.NestedField f : iceberg.columns()) {
      Types.NestedField e = existing.findField(f.name());
      if (e == null) {
        throw new ConfigException(
            "iceberg table " + table + " has no column " + f.name() + ": expected " + f.type());
      }
      if (!e.type().equals(f.type())) {
        throw new ConfigException(
            "iceberg table "
                + table
                + " column "
                + f.name()
                + " is "
                + e.type()
                + ": expected "
                + f.type()
                + " (the pipeline's declared type)");
      }
    }
  }

  /**
   * How this schema's stored rows (values in stored-column order) become records of the table
   * schema {@code table} (its own: an existing table may order its columns otherwise, or have
   * more), by column name.
   */
  Layout layout(Schema table) {
    Layout l = layout;
    if (l == null || l.table != table) {
      l = new Layout(table, stored);
      layout = l;
    }
    return l;
  }

  /**
   * Where the stored columns and idem's two sit in one table schema, each stored column's
   * conversion, and an empty record of it to copy: records are made by position, not by a name
   * lookup per value. Serializable, so that an engine's executors make the records they write.
   */
  static final class Layout implements Serializable {
    private static final long serialVersionUID = 1L;
    final Schema table;
    private final DataType.Kind[] kinds;
    private final int[] scales;
    private final int[] positions;
    private final int window;
    private final int windowOrder;
    private transient Record empty;

    Layout(Schema table, dev.idem.schema.Schema stored) {
      this.table = table;
      List<String> names = table.columns().stream().map(Types.NestedField::name).toList();
      this.positions = new int[stored.size()];
      this.kinds = new DataType.Kind[stored.size()];
      this.scales = new int[stored.size()];
      for (int i = 0; i < positions.length; i++) {
        positions[i] = names.indexOf(stored.column(i).name());
        kinds[i] = stored.column(i).type().kind();
        scales[i] = kinds[i] == DataType.Kind.DECIMAL ? stored.column(i).type().scale() : 0;
      }
      this.window = names.indexOf(WINDOW);
      this.windowOrder = names.indexOf(WINDOW_ORDER);
    }

    Record record(Object[] values, String windowId, String order) {
      Record e = empty;
      if (e == null) {
        e = GenericRecord.create(table);
        empty = e;
      }
      Record r = e.copy();
      for (int i = 0; i < values.length; i++) {
        r.set(positions[i], toIceberg(kinds[i], scales[i], values[i]));
      }
      r.set(window, windowId);
      r.set(windowOrder, order);
      return r;
    }
  }

  /** Stored column {@code i}'s value as Iceberg's generic records hold it. */
  Object value(int i, Object v) {
    DataType t = stored.column(i).type();
    return toIceberg(t.kind(), t.kind() == DataType.Kind.DECIMAL ? t.scale() : 0, v);
  }

  /** The stored values of a record read from the table (idem's Java types). */
  Object[] values(Record r) {
    return values(r, names());
  }

  /** The stored columns' names, in order. */
  String[] names() {
    String[] names = new String[stored.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = stored.column(i).name();
    }
    return names;
  }

  /**
   * The values of a record read from the table (idem's Java types) of the stored columns {@code
   * names} ({@link #names()}): what {@link #values(Record)} gives, where no {@code TableSchema} is
   * (a task on an engine's executor).
   */
  static Object[] values(Record r, String[] names) {
    Object[] v = new Object[names.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = value(r, names[i]);
    }
    return v;
  }

  /** The value of the column {@code name} of a record read from the table (idem's Java type). */
  static Object value(Record r, String name) {
    return fromIceberg(r.getField(name));
  }

  static String window(Record r) {
    return (String) r.getField(WINDOW);
  }

  static String windowOrder(Record r) {
    return (String) r.getField(WINDOW_ORDER);
  }

  static Object toIceberg(DataType.Kind kind, int scale, Object v) {
    if (v == null) {
      return null;
    }
    return switch (kind) {
      case INTEGER -> ((Number) v).longValue();
      case DECIMAL -> ((BigDecimal) v).setScale(scale, RoundingMode.UNNECESSARY);
      case TIMESTAMPTZ ->
          v instanceof Instant i ? OffsetDateTime.ofInstant(i, ZoneOffset.UTC) : (OffsetDateTime) v;
      case STRING, JSON -> v.toString();
      default -> v;
    };
  }

  private static Object fromIceberg(Object v) {
    return v instanceof OffsetDateTime o ? o.toInstant() : v;
  }
}
