package dev.idem.source.parquet;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.idem.DataException;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.schema.ValueParser;
import dev.idem.source.file.FilePart;
import dev.idem.source.file.FileSet;
import dev.idem.source.file.FileSource;
import dev.idem.source.file.RetypedValue;
import dev.idem.source.file.Rows;
import dev.idem.source.file.ScanCache;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Parquet files read with Parquet's own reader ({@link ParquetFileReader}, records assembled by its
 * example {@link GroupRecordConverter}), one row group at a time: memory grows with a row group,
 * not with the file.
 *
 * <p>Windows, fingerprints (the files' bytes) and dead letters are {@link FileSource}'s, as for CSV
 * and JSON lines. A record's position is the file and its row number counted from 1 ({@code
 * data/orders-1.parquet:17}); its raw input, for a dead letter, is the row as one JSON object.
 *
 * <p>Columns are found by name in the file's schema (its footer), like a CSV header; only flat
 * columns (a primitive, optional or required) are read, and a declared column that is a group, a
 * list or a map fails the file. Values are typed by the declared column, strictly as JSON values
 * are ({@link ValueParser#convert}), and by the Parquet logical type for what JSON has not:
 *
 * <ul>
 *   <li>integer: Parquet int32/int64 (and int8/16, unsigned within 64 bits), a decimal with scale
 *       0, or a string holding one;
 *   <li>decimal(p,s): a Parquet decimal, an integer, a float or double (by its shortest decimal
 *       text, as a JSON number), or a string holding one; refused when it does not fit (never
 *       rounded);
 *   <li>boolean: a Parquet boolean, or a string true/false;
 *   <li>string and json: a Parquet string (also enum, json, an unannotated binary holding UTF-8, a
 *       uuid as its canonical text, a time as its ISO text); a number, boolean or date is refused,
 *       as JSON lines refuse it;
 *   <li>date: a Parquet date, or a string yyyy-MM-dd;
 *   <li>timestamp: a Parquet timestamp without zone ({@code isAdjustedToUTC=false}), or a string;
 *       one with zone is refused (declare the column timestamptz), as text with an offset is;
 *   <li>timestamptz: a Parquet timestamp with zone ({@code isAdjustedToUTC=true}, and the legacy
 *       int96, which Spark and Impala write in UTC), or a string with an offset; one without zone
 *       is refused, as text without an offset is. Milli-, micro- and nanosecond units are exact.
 * </ul>
 *
 * A Parquet null is null (refused in a column declared not null). A value that does not fit its
 * column is a bad value naming the file, row, column and why; with an {@link ObservedSchema} it
 * retypes the column by the file column's type.
 */
public final class ParquetSource extends FileSource {
  public ParquetSource(FileSet files, Schema schema) {
    this(files, schema, ScanCache.none());
  }

  /** With {@code cache}, which remembers across processes which windows each file holds. */
  public ParquetSource(FileSet files, Schema schema, ScanCache cache) {
    super(files, schema, cache);
  }

  @Override
  public String describe() {
    return "parquet " + files.pattern();
  }

  @Override
  public String toString() {
    return describe();
  }

  @Override
  protected Rows open(Path file, String relative, ObservedSchema observed) throws IOException {
    return open(file, relative, observed, FilePart.WHOLE);
  }

  /** Row groups {@code part} of the file, numbered from the row after {@code part.rowsBefore()}. */
  @Override
  protected Rows open(Path file, String relative, ObservedSchema observed, FilePart part)
      throws IOException {
    ParquetFileReader reader = reader(file, relative);
    try {
      return new ParquetRows(reader, relative, observed, part);
    } catch (IOException | RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  /**
   * Consecutive row groups of about {@code bytes} together (their compressed size in the footer),
   * one at least: a file of one row group, or of less than {@code bytes}, is one part.
   */
  @Override
  protected List<FilePart> parts(Path file, long bytes) throws IOException {
    if (Files.size(file) <= bytes) {
      return List.of(FilePart.WHOLE);
    }
    List<BlockMetaData> groups;
    try (ParquetFileReader reader = reader(file, files.relative(file))) {
      groups = reader.getRowGroups();
    } catch (DataException e) {
      // not Parquet: read whole, it fails where the window's read reaches it, after the files
      // before it, as without parts
      return List.of(FilePart.WHOLE);
    }
    List<FilePart> parts = new ArrayList<>();
    int first = 0;
    long rowsBefore = 0;
    long rows = 0;
    long size = 0;
    for (int g = 0; g < groups.size(); g++) {
      BlockMetaData group = groups.get(g);
      if (g > first && size + group.getCompressedSize() > bytes) {
        parts.add(new FilePart(first, g - first, rowsBefore));
        first = g;
        rowsBefore += rows;
        rows = 0;
        size = 0;
      }
      rows += group.getRowCount();
      size += group.getCompressedSize();
    }
    if (parts.isEmpty()) {
      return List.of(FilePart.WHOLE);
    }
    parts.add(new FilePart(first, groups.size() - first, rowsBefore));
    return parts;
  }

  private static ParquetFileReader reader(Path file, String relative) {
    try {
      return ParquetFileReader.open(new LocalInputFile(file), ParquetReadOptions.builder().build());
    } catch (IOException | RuntimeException e) {
      throw new DataException(
          relative + ": not a readable Parquet file: " + oneLine(e.getMessage()), e);
    }
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s+", " ").strip();
  }

  private final class ParquetRows implements Rows {
    private final ParquetFileReader reader;
    private final String file;
    private final MessageType projection;

    /** Each declared column's field index in the projection, -1 when the file lacks it. */
    private final int[] positions;

    /** Each added column's (by the observation's number) field index in the projection, or -1. */
    private int[] positionOfAdded = new int[0];

    /** Projection fields that are not declared. */
    private final List<Integer> undeclared = new ArrayList<>();

    private RecordReader<Group> records;
    private long leftInGroup;
    private long row;
    private Group current;

    /** A row group that cannot be decoded: the rest of the file cannot be read. */
    private DataException broken;

    /**
     * Rows of the part left to read: counted in rows, as Parquet's reader passes over a row group
     * of no rows without a word (a count of row groups read would run into the next part's).
     */
    private long rowsLeft;

    ParquetRows(ParquetFileReader reader, String file, ObservedSchema observed, FilePart part)
        throws IOException {
      this.reader = reader;
      this.file = file;
      MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
      String where = file + ":1";
      List<Type> fields = new ArrayList<>();
      positions = new int[schema.size()];
      for (int i = 0; i < schema.size(); i++) {
        String name = schema.column(i).name();
        if (!fileSchema.containsField(name)) {
          if (observed == null) {
            throw new DataException(
                file
                    + ": the file has no column '"
                    + name
                    + "': expected the declared columns "
                    + schema.names()
                    + ", found "
                    + names(fileSchema));
          }
          positions[i] = -1;
          observed.missing(i, where);
          continue;
        }
        Type t = fileSchema.getType(name);
        if (!flat(t)) {
          throw new DataException(
              file
                  + ": column '"
                  + name
                  + "' is a nested Parquet type ("
                  + t.toString().strip().replaceAll("\\s+", " ")
                  + "): only flat columns (one primitive value per row) are read");
        }
        positions[i] = fields.size();
        fields.add(t);
        if (observed != null) {
          observed.present(i);
        }
      }
      if (observed != null) {
        observed.unit();
        for (Type t : fileSchema.getFields()) {
          if (schema.indexOf(t.getName()) >= 0) {
            continue;
          }
          int k = observed.add(t.getName(), where);
          try {
            observed.type(k, flat(t) ? idemType(t.asPrimitiveType()) : DataType.JSON);
          } catch (DataException e) {
            throw new DataException(where + ": " + e.getMessage(), e);
          }
          if (observed.keepsAdded() && !flat(t)) {
            throw new DataException(
                file
                    + ": column '"
                    + t.getName()
                    + "' is a nested Parquet type: schema_drift evolve adds flat columns only");
          }
          if (positionOfAdded.length <= k) {
            int from = positionOfAdded.length;
            positionOfAdded = Arrays.copyOf(positionOfAdded, Math.max(k + 1, from * 2));
            Arrays.fill(positionOfAdded, from, positionOfAdded.length, -1);
          }
          positionOfAdded[k] = fields.size();
          undeclared.add(fields.size());
          fields.add(t);
        }
      }
      projection = new MessageType(fileSchema.getName(), fields);
      reader.setRequestedSchema(projection);
      for (int g = 0; g < part.first(); g++) {
        reader.skipNextRowGroup();
      }
      row = part.rowsBefore();
      List<BlockMetaData> groups = reader.getRowGroups();
      int end = (int) Math.min(groups.size(), (long) part.first() + part.count());
      for (int g = part.first(); g < end; g++) {
        rowsLeft += groups.get(g).getRowCount();
      }
    }

    private static boolean flat(Type t) {
      return t.isPrimitive() && !t.isRepetition(Type.Repetition.REPEATED);
    }

    private static List<String> names(MessageType s) {
      return s.getFields().stream().map(Type::getName).toList();
    }

    @Override
    public boolean next() throws IOException {
      if (broken != null) {
        throw broken;
      }
      current = null;
      if (rowsLeft == 0) {
        return false;
      }
      boolean opening = false;
      try {
        while (leftInGroup == 0) {
          opening = true;
          PageReadStore pages = reader.readNextRowGroup();
          if (pages == null) {
            return false;
          }
          leftInGroup = pages.getRowCount();
          records =
              new ColumnIOFactory()
                  .getColumnIO(projection)
                  .getRecordReader(pages, new GroupRecordConverter(projection));
          opening = false;
        }
        row++;
        leftInGroup--;
        rowsLeft--;
        current = records.read();
        return true;
      } catch (ParquetDecodingException | IOException e) {
        if (opening) {
          // the row that cannot be read is the group's first, whether or not the file is read in
          // parts (a part's reader has not seen the row before)
          row++;
        }
        broken =
            new DataException(
                position()
                    + ": the Parquet data cannot be decoded ("
                    + oneLine(e.getMessage())
                    + "), so nothing from this row on can be read",
                e);
        throw broken;
      }
    }

    @Override
    public String position() {
      return file + ":" + Math.max(row, 1);
    }

    /** The row as one JSON object, by the file's column names; nulls left out. */
    @Override
    public String raw() {
      if (current == null) {
        return "";
      }
      StringBuilder b = new StringBuilder("{");
      List<Type> fields = projection.getFields();
      for (int f = 0; f < fields.size(); f++) {
        Object v = natural(f);
        if (v == null) {
          continue;
        }
        if (b.length() > 1) {
          b.append(", ");
        }
        b.append('"')
            .append(JsonStringEncoder.getInstance().quoteAsString(fields.get(f).getName()));
        b.append("\": ");
        if (v instanceof Number || v instanceof Boolean) {
          b.append(v);
        } else {
          b.append('"')
              .append(JsonStringEncoder.getInstance().quoteAsString(asText(v)))
              .append('"');
        }
      }
      return b.append('}').toString();
    }

    @Override
    public Object value(int column) {
      Column c = schema.column(column);
      int f = positions[column];
      try {
        return typed(c, f < 0 ? null : projection.getType(f).asPrimitiveType(), natural(f));
      } catch (DataException e) {
        throw new DataException(position() + ": " + e.getMessage(), e);
      }
    }

    @Override
    public String text(int column) {
      Object v = natural(positions[column]);
      return v == null ? null : asText(v);
    }

    @Override
    public DataType typeOf(int column) {
      int f = positions[column];
      return f < 0 || natural(f) == null ? null : idemType(projection.getType(f).asPrimitiveType());
    }

    @Override
    public long addedValues() {
      long n = 0;
      for (int f : undeclared) {
        if (current != null && current.getFieldRepetitionCount(f) > 0) {
          n++;
        }
      }
      return n;
    }

    @Override
    public Object addedValue(int index, Column column) {
      int f = index < positionOfAdded.length ? positionOfAdded[index] : -1;
      Object v = natural(f);
      if (v == null) {
        return null;
      }
      PrimitiveType t = projection.getType(f).asPrimitiveType();
      try {
        return typed(column, t, v);
      } catch (DataException e) {
        throw new RetypedValue(
            new DataException(position() + ": " + e.getMessage(), e), column.name(), idemType(t));
      }
    }

    /**
     * Projection field {@code f}'s value in the current row as Parquet gives it, by its logical
     * type: Boolean, Long, BigInteger (an unsigned 64-bit value past Long), Float, Double,
     * BigDecimal, String, LocalDate, LocalTime, LocalDateTime (no zone), Instant (UTC), byte[] (a
     * binary that is not a string); null when absent.
     */
    private Object natural(int f) {
      if (f < 0 || current == null || current.getFieldRepetitionCount(f) == 0) {
        return null;
      }
      Type type = projection.getType(f);
      if (!type.isPrimitive()) {
        return current.getGroup(f, 0).toString().strip();
      }
      PrimitiveType t = type.asPrimitiveType();
      LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
      return switch (t.getPrimitiveTypeName()) {
        case BOOLEAN -> current.getBoolean(f, 0);
        case FLOAT -> current.getFloat(f, 0);
        case DOUBLE -> current.getDouble(f, 0);
        case INT32 -> int32(a, current.getInteger(f, 0));
        case INT64 -> int64(a, current.getLong(f, 0));
        case INT96 -> int96(current.getInt96(f, 0));
        case BINARY, FIXED_LEN_BYTE_ARRAY -> binary(a, current.getBinary(f, 0));
      };
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  private static Object int32(LogicalTypeAnnotation a, int v) {
    if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
      return BigDecimal.valueOf(v, d.getScale());
    }
    if (a instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
      return LocalDate.ofEpochDay(v);
    }
    if (a instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation) {
      return LocalTime.ofNanoOfDay(v * 1_000_000L);
    }
    if (a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned()) {
      return Integer.toUnsignedLong(v);
    }
    return (long) v;
  }

  private static Object int64(LogicalTypeAnnotation a, long v) {
    if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
      return BigDecimal.valueOf(v, d.getScale());
    }
    if (a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
      long perSecond = perSecond(ts.getUnit());
      long seconds = Math.floorDiv(v, perSecond);
      long nanos = Math.floorMod(v, perSecond) * (1_000_000_000L / perSecond);
      return ts.isAdjustedToUTC()
          ? Instant.ofEpochSecond(seconds, nanos)
          : LocalDateTime.ofEpochSecond(seconds, (int) nanos, ZoneOffset.UTC);
    }
    if (a instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation tm) {
      return LocalTime.ofNanoOfDay(v * (1_000_000_000L / perSecond(tm.getUnit())));
    }
    if (a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned() && v < 0) {
      return new BigInteger(Long.toUnsignedString(v));
    }
    return v;
  }

  private static long perSecond(LogicalTypeAnnotation.TimeUnit unit) {
    return switch (unit) {
      case MILLIS -> 1_000L;
      case MICROS -> 1_000_000L;
      case NANOS -> 1_000_000_000L;
    };
  }

  /** The legacy int96 timestamp: nanoseconds of the day, then the Julian day, little-endian. */
  private static Instant int96(Binary b) {
    ByteBuffer buf = b.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    long nanosOfDay = buf.getLong();
    long julianDay = Integer.toUnsignedLong(buf.getInt());
    long epochDay = julianDay - 2_440_588L;
    return Instant.ofEpochSecond(epochDay * 86_400L, 0).plusNanos(nanosOfDay);
  }

  private static Object binary(LogicalTypeAnnotation a, Binary b) {
    if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
      return new BigDecimal(new BigInteger(b.getBytes()), d.getScale());
    }
    if (a instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation) {
      ByteBuffer u = b.toByteBuffer();
      return new UUID(u.getLong(), u.getLong()).toString();
    }
    if (a == null
        || a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
        || a instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
        || a instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(b.toByteBuffer())
            .toString();
      } catch (CharacterCodingException e) {
        return b.getBytes();
      }
    }
    return b.getBytes();
  }

  /** A natural value as text: for a value that cannot be typed, and for the row's raw input. */
  private static String asText(Object v) {
    if (v instanceof byte[] bytes) {
      return "0x" + HexFormat.of().formatHex(bytes);
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return v.toString();
  }

  /**
   * The idem type a Parquet column's values have, which names what a value that does not fit its
   * column is instead (and types an added column): integer (decimal(20,0) for unsigned 64-bit),
   * decimal(p,s), decimal(38,9) for float and double (as JSON lines type a number with a fraction),
   * boolean, date, timestamp, timestamptz, json, else string.
   */
  static DataType idemType(PrimitiveType t) {
    LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
    if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
      return DataType.decimal(Math.min(d.getPrecision(), 38), d.getScale());
    }
    if (a instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
      return DataType.DATE;
    }
    if (a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
      return ts.isAdjustedToUTC() ? DataType.TIMESTAMPTZ : DataType.TIMESTAMP;
    }
    if (a instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
      return DataType.JSON;
    }
    if (a instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation) {
      return DataType.STRING;
    }
    return switch (t.getPrimitiveTypeName()) {
      case BOOLEAN -> DataType.BOOLEAN;
      case INT32 -> DataType.INTEGER;
      case INT64 ->
          a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned()
              ? DataType.decimal(20, 0)
              : DataType.INTEGER;
      case FLOAT, DOUBLE -> DataType.decimal(38, 9);
      case INT96 -> DataType.TIMESTAMPTZ;
      case BINARY, FIXED_LEN_BYTE_ARRAY -> DataType.STRING;
    };
  }

  /**
   * {@code v} (a natural value of Parquet column {@code t}) as column {@code c}'s type, or a {@link
   * DataException} saying why not.
   */
  static Object typed(Column c, PrimitiveType t, Object v) {
    if (v == null || v instanceof String) {
      return ValueParser.convert(c, v);
    }
    DataType type = c.type();
    switch (type.kind()) {
      case STRING, JSON -> {
        if (v instanceof LocalTime time) {
          return time.toString();
        }
      }
      case INTEGER -> {
        if (v instanceof BigDecimal d && d.scale() == 0) {
          return ValueParser.convert(c, d.toBigInteger());
        }
        if (v instanceof Long || v instanceof BigInteger) {
          return ValueParser.convert(c, v);
        }
      }
      case DECIMAL -> {
        if (v instanceof Number n) {
          if ((v instanceof Double || v instanceof Float) && !Double.isFinite(n.doubleValue())) {
            throw refused(c, t, v, "it is not a finite number");
          }
          return ValueParser.convert(c, v);
        }
      }
      case BOOLEAN -> {
        if (v instanceof Boolean) {
          return v;
        }
      }
      case DATE -> {
        if (v instanceof LocalDate) {
          return v;
        }
      }
      case TIMESTAMP -> {
        if (v instanceof LocalDateTime) {
          return v;
        }
        if (v instanceof Instant) {
          throw refused(c, t, v, "it has a time zone (UTC): declare the column timestamptz");
        }
      }
      case TIMESTAMPTZ -> {
        if (v instanceof Instant) {
          return v;
        }
        if (v instanceof LocalDateTime) {
          throw refused(c, t, v, "it has no time zone: declare the column timestamp");
        }
      }
    }
    throw refused(c, t, v, "expected " + expected(type));
  }

  private static DataException refused(Column c, PrimitiveType t, Object v, String why) {
    String shown = ValueParser.show(asText(v));
    String type = c.type().toString();
    return new DataException(
        "column "
            + c.name()
            + ": "
            + shown
            + " (Parquet "
            + describe(t)
            + ") is not "
            + (type.startsWith("integer") ? "an " : "a ")
            + type
            + ": "
            + why);
  }

  private static String expected(DataType type) {
    return switch (type.kind()) {
      case STRING, JSON -> "a Parquet string";
      case INTEGER -> "a Parquet integer or a string holding one";
      case DECIMAL -> "a Parquet number or a string holding one";
      case BOOLEAN -> "a Parquet boolean or a string true/false";
      case DATE -> "a Parquet date or a string yyyy-MM-dd";
      case TIMESTAMP -> "a Parquet timestamp without time zone or a string yyyy-MM-ddTHH:mm:ss";
      case TIMESTAMPTZ -> "a Parquet timestamp with time zone or a string with an offset";
    };
  }

  /** {@code int64 timestamp(MICROS,true)}: the physical type and the logical one. */
  private static String describe(PrimitiveType t) {
    String physical = t.getPrimitiveTypeName().name().toLowerCase(Locale.ROOT);
    LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
    return a == null ? physical : physical + " " + a.toString().toLowerCase(Locale.ROOT);
  }
}
