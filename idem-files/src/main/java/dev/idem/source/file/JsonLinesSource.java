package dev.idem.source.file;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.idem.DataException;
import dev.idem.json.JsonObjects;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.schema.ValueParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * JSON lines files (one JSON object per line) read with the Jackson streaming parser, one line at a
 * time: memory does not grow with the file.
 *
 * <p>Fields are found by name; a missing field and a JSON {@code null} are null; fields that are
 * not declared are ignored; a field given twice is an error. Nested objects and arrays are accepted
 * only for {@code json} columns, which receive the value as compact JSON text (numbers keep their
 * text exactly; a scalar in a json column is its JSON text too, so the string {@code "a"} becomes
 * {@code "a"} with quotes). Other columns are converted by {@link ValueParser#convert}. Blank lines
 * are skipped. A line that is not one JSON object, or that holds bytes invalid in the declared
 * encoding, is an error naming the file and the line, and reading goes on with the next line.
 *
 * <p>Read observing the schema, each record returned reports its keys: a declared key is present
 * when a record has it (null included), an undeclared key is an added column typed by its first
 * non-null value (string, integer, {@code decimal} = decimal(38,9) for a number with a fraction or
 * exponent, boolean, json for an object or array). An absent key is null, as always, so a declared
 * key is removed only when no record of the window has it. A value that is not of its column's type
 * (a string in an integer column, an object in a string column) retypes the column.
 */
public final class JsonLinesSource extends FileSource {
  private final Charset encoding;

  public JsonLinesSource(FileSet files, Schema schema, Charset encoding) {
    this(files, schema, encoding, ScanCache.none());
  }

  /** With {@code cache}, which remembers across processes which windows each file holds. */
  public JsonLinesSource(FileSet files, Schema schema, Charset encoding, ScanCache cache) {
    super(files, schema, cache);
    this.encoding = Objects.requireNonNull(encoding, "encoding");
  }

  @Override
  public String describe() {
    return "jsonl " + files.pattern() + " encoding=" + encoding.name();
  }

  @Override
  public String toString() {
    return describe();
  }

  @Override
  protected Rows open(Path file, String relative, ObservedSchema observed) throws IOException {
    return open(file, relative, observed, FilePart.WHOLE);
  }

  /** The file, or a part of its lines ({@link TextPart}) numbered as in the whole file. */
  @Override
  protected Rows open(Path file, String relative, ObservedSchema observed, FilePart part)
      throws IOException {
    TextPart text = TextPart.of(file, part);
    StrictReader decoded = text.reader(file, encoding, relative);
    return new JsonRows(
        new BufferedReader(decoded, 64 * 1024), decoded, relative, observed, text.linesBefore);
  }

  /** Parts of about {@code bytes} each, split at line starts ({@link TextPart}). */
  @Override
  protected List<FilePart> parts(Path file, long bytes) throws IOException {
    return TextPart.parts(file, bytes, encoding);
  }

  /**
   * An undeclared key's value in the current record: its type, and as much of it as the policy
   * keeps.
   */
  private record AddedValue(String name, DataType type, Object value, String json) {}

  private final class JsonRows implements Rows {
    private final BufferedReader lines;
    private final StrictReader decoded;
    private final String file;
    private long line;

    /**
     * The current record's values as JSON gave them: String, Number, Boolean, or JSON text for json
     * columns.
     */
    private Object[] raw;

    /** The current line's text. */
    private String text;

    private final ObservedSchema observed;

    /** The declared keys the current record has. */
    private final BitSet present = new BitSet();

    /** The current record's undeclared keys. */
    private final List<AddedValue> added = new ArrayList<>();

    private long addedValues;

    /** Added column number to the current record's value of it, once observed. */
    private AddedValue[] addedByIndex = new AddedValue[0];

    private boolean keptAny;

    /** Rows of {@code lines}, which start after {@code linesBefore} line breaks of the file. */
    JsonRows(
        BufferedReader lines,
        StrictReader decoded,
        String file,
        ObservedSchema observed,
        long linesBefore) {
      this.lines = lines;
      this.line = linesBefore;
      this.decoded = decoded;
      this.file = file;
      this.observed = observed;
      if (observed != null) {
        observed.absentIsNull();
      }
    }

    @Override
    public boolean next() throws IOException {
      while (true) {
        text = lines.readLine();
        if (text == null) {
          return false;
        }
        line++;
        raw = null;
        DataException undecodable = decoded.problem(line, line);
        if (undecodable != null) {
          throw undecodable;
        }
        if (text.isBlank()) {
          continue;
        }
        raw = new Object[schema.size()];
        present.clear();
        added.clear();
        addedValues = 0;
        if (keptAny) {
          Arrays.fill(addedByIndex, null);
          keptAny = false;
        }
        try (JsonParser p = JsonObjects.parser(text)) {
          parse(p);
        } catch (JsonProcessingException e) {
          raw = null;
          throw new DataException(
              position() + ": malformed JSON: " + e.getOriginalMessage().replace('\n', ' '), e);
        }
        return true;
      }
    }

    private void parse(JsonParser p) throws IOException {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new DataException(
            position()
                + ": expected one JSON object per line, found "
                + JsonObjects.describe(p.currentToken()));
      }
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        int i = schema.indexOf(name);
        if (i < 0) {
          if (observed != null) {
            added(name, value, p);
          }
          p.skipChildren();
          continue;
        }
        present.set(i);
        Column c = schema.column(i);
        if (value == JsonToken.VALUE_NULL) {
          raw[i] = null;
        } else if (c.type().kind() == DataType.Kind.JSON) {
          raw[i] = JsonObjects.compact(p);
        } else {
          raw[i] = JsonObjects.scalar(value, p);
          if (raw[i] == null) {
            throw new RetypedValue(
                new DataException(JsonObjects.nested(position(), name, value, c)),
                name,
                DataType.JSON);
          }
        }
      }
      JsonToken after = p.nextToken();
      if (after != null) {
        throw new DataException(
            position() + ": expected one JSON object per line, found more after it");
      }
    }

    /**
     * Keeps an undeclared key of the current record: its type, and its value when the policy keeps
     * values.
     */
    private void added(String name, JsonToken value, JsonParser p) throws IOException {
      if (value == JsonToken.VALUE_NULL) {
        added.add(new AddedValue(name, null, null, null));
        return;
      }
      addedValues++;
      DataType type = addedType(value, p);
      if (!observed.keepsAdded()) {
        added.add(new AddedValue(name, type, null, null));
        return;
      }
      Object natural = JsonObjects.scalar(value, p);
      added.add(new AddedValue(name, type, natural, JsonObjects.compact(p)));
    }

    @Override
    public void observe() {
      observed.unit();
      for (int i = present.nextSetBit(0); i >= 0; i = present.nextSetBit(i + 1)) {
        observed.present(i);
      }
      if (added.isEmpty()) {
        return;
      }
      for (AddedValue a : added) {
        int k = observed.add(a.name(), position());
        if (a.type() != null) {
          try {
            observed.type(k, a.type());
          } catch (DataException e) {
            throw new DataException(position() + ": " + e.getMessage(), e);
          }
        }
        if (observed.keepsAdded()) {
          if (addedByIndex.length <= k) {
            addedByIndex = Arrays.copyOf(addedByIndex, Math.max(k + 1, addedByIndex.length * 2));
          }
          addedByIndex[k] = a;
          keptAny = true;
        }
      }
    }

    @Override
    public long addedValues() {
      return addedValues;
    }

    @Override
    public Object addedValue(int index, Column column) {
      AddedValue a = index < addedByIndex.length ? addedByIndex[index] : null;
      if (a == null || a.type() == null) {
        return null;
      }
      if (column.type().kind() == DataType.Kind.JSON) {
        return a.json();
      }
      try {
        if (a.value() == null) {
          throw new DataException(
              "column "
                  + column.name()
                  + ": found a nested "
                  + (a.json().startsWith("[") ? "array" : "object")
                  + ", but nested values are accepted only in json columns (this one is "
                  + column.type()
                  + ")");
        }
        return ValueParser.convert(column, a.value());
      } catch (DataException e) {
        DataType found =
            a.value() == null
                ? DataType.JSON
                : a.value() instanceof String ? DataType.STRING : ValueParser.typeOf(a.value());
        throw new RetypedValue(
            new DataException(position() + ": " + e.getMessage(), e), column.name(), found);
      }
    }

    @Override
    public String text(int column) {
      Object v = raw == null ? null : raw[column];
      return v == null ? null : v.toString();
    }

    @Override
    public DataType typeOf(int column) {
      Object v = raw == null ? null : raw[column];
      return v == null ? null : v instanceof String ? DataType.STRING : ValueParser.typeOf(v);
    }

    @Override
    public String raw() {
      return text == null ? "" : text;
    }

    @Override
    public String position() {
      return file + ":" + line;
    }

    @Override
    public Object value(int column) {
      try {
        return ValueParser.convert(schema.column(column), raw[column]);
      } catch (DataException e) {
        throw new DataException(position() + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws IOException {
      lines.close();
    }
  }

  /**
   * The type an undeclared key's value shows: string, integer (decimal(38,0) beyond 64 bits),
   * {@code decimal} (decimal(38,9)) for other numbers, boolean, json for objects and arrays.
   */
  private static DataType addedType(JsonToken t, JsonParser p) throws IOException {
    return switch (t) {
      case VALUE_STRING -> DataType.STRING;
      case VALUE_NUMBER_INT ->
          p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
              ? DataType.decimal(38, 0)
              : DataType.INTEGER;
      case VALUE_NUMBER_FLOAT -> DataType.decimal(38, 9);
      case VALUE_TRUE, VALUE_FALSE -> DataType.BOOLEAN;
      default -> DataType.JSON;
    };
  }
}
