package dev.idem.source.file;

import dev.idem.DataException;
import dev.idem.schema.Schema;
import dev.idem.schema.ValueParser;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * JSON lines files (one JSON object per line) read with the Jackson streaming parser, one line
 * at a time: memory does not grow with the file.
 *
 * <p>Each line is mapped to the schema by {@link JsonObjects} (a scalar in a json column is its
 * JSON text too, so the string {@code "a"} becomes {@code "a"} with quotes); other columns are
 * converted by {@link ValueParser#convert}. Blank lines are skipped. A line that is not one JSON object, or that
 * holds bytes invalid in the declared encoding, is an error naming the file and the line, and
 * reading goes on with the next line.
 */
public final class JsonLinesSource extends FileSource {
  private final Charset encoding;

  public JsonLinesSource(FileSet files, Schema schema, Charset encoding) {
    super(files, schema);
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
  Rows open(Path file, String relative) throws IOException {
    StrictReader decoded = new StrictReader(new BufferedInputStream(Files.newInputStream(file), 64 * 1024), encoding, relative);
    return new JsonRows(new BufferedReader(decoded, 64 * 1024), decoded, relative);
  }

  private final class JsonRows implements Rows {
    private final BufferedReader lines;
    private final StrictReader decoded;
    private final String file;
    private long line;
    /** The current record's values as JSON gave them: String, Number, Boolean, or JSON text for json columns. */
    private Object[] raw;
    /** The current line's text. */
    private String text;

    JsonRows(BufferedReader lines, StrictReader decoded, String file) {
      this.lines = lines;
      this.decoded = decoded;
      this.file = file;
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
        raw = JsonObjects.parse(text, schema, position());
        return true;
      }
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
}
