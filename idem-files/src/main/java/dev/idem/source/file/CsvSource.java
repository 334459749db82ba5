package dev.idem.source.file;

import dev.idem.DataException;
import dev.idem.ledger.DeadLetter;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.schema.ValueParser;
import dev.idem.source.CsvFiles;
import dev.idem.source.OffersCsvFiles;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.QuoteMode;

/**
 * CSV files read with Apache Commons CSV, streaming: memory does not grow with the file.
 *
 * <p>With a header row, columns are found by name (exact, case-sensitive): header columns that are
 * not declared are ignored, a declared column missing from the header is an error naming the file
 * and the column. Read observing the schema, the header is the file's observed schema (every column
 * typed {@code string}: CSV has no types), a declared column missing from it reads as null,
 * undeclared columns are counted or kept as the policy says, and a value that does not parse as its
 * column's type retypes the column as the narrowest type holding it. Without one, the declared
 * columns are the first fields by position. Every record must have as many fields as the header (or
 * the schema), else {@code orders.csv:17: expected 4 columns, found 3}. Quoted fields may hold
 * delimiters, doubled quotes and line breaks; a record's position is the line it starts on. A quote
 * that does not start a field is a character of it. A syntax error the parser cannot move past (a
 * quote never closed, characters after a closing quote) is one bad record at its record's line, in
 * words that say what to do, and stops the file.
 *
 * <p>Blank lines are skipped when records have more than one field; in a file with a single column
 * a blank line is a record with one empty, unquoted field (null under the default marker). A record
 * holding bytes that are not valid in the declared encoding is a bad record naming the line and the
 * bytes (see {@link StrictReader}).
 */
public final class CsvSource extends FileSource implements OffersCsvFiles {
  /** What Commons CSV says when the file ends inside a quoted field. */
  private static final String UNCLOSED_QUOTE = "EOF reached before encapsulated token finished";

  /**
   * What Commons CSV says when a closing quote is followed by something else than the delimiter or
   * a line break.
   */
  private static final String AFTER_CLOSING_QUOTE =
      "Invalid character between encapsulated token and delimiter";

  /**
   * The parser's own line and character counts, which a message must not repeat next to the
   * record's line.
   */
  static final Pattern PARSER_POSITION =
      Pattern.compile("\\s*\\(startline [\\d,]+\\)\\s*|\\s*at line: [\\d,]+(, position: [\\d,]+)?");

  private final CsvFormat format;

  /** The byte checks of the files this source offered to a destination ({@link #plainShape}). */
  private final Map<Path, Checked> checked = new ConcurrentHashMap<>();

  private final CSVFormat csv;

  /** Whether files are read by Commons CSV's parser alone (tests compare the two ways). */
  private final boolean parserOnly;

  /**
   * Renders a record's fields back to one CSV line, quoting only where needed (for dead letters).
   */
  private final CSVFormat rawFormat;

  public CsvSource(FileSet files, Schema schema, CsvFormat format) {
    this(files, schema, format, ScanCache.none());
  }

  /** With {@code cache}, which remembers across processes which windows each file holds. */
  public CsvSource(FileSet files, Schema schema, CsvFormat format, ScanCache cache) {
    this(files, schema, format, cache, false);
  }

  private CsvSource(
      FileSet files, Schema schema, CsvFormat format, ScanCache cache, boolean parserOnly) {
    super(files, schema, cache);
    this.parserOnly = parserOnly;
    this.format = Objects.requireNonNull(format, "format");
    this.csv = parserFormat(format);
    this.rawFormat =
        csv.builder()
            .setQuoteMode(QuoteMode.MINIMAL)
            .setNullString(null)
            .setRecordSeparator("")
            .get();
  }

  /**
   * The same source reading every file with Commons CSV's parser alone, as before {@link CsvLexer}
   * split plain lines itself: for tests that compare the two.
   */
  static CsvSource parserOnly(FileSet files, Schema schema, CsvFormat format) {
    return new CsvSource(files, schema, format, ScanCache.none(), true);
  }

  /** Commons CSV's format for reading {@code format}'s records (see {@link CsvLexer}). */
  static CSVFormat parserFormat(CsvFormat format) {
    // ALL_NON_NULL makes the parser tell a quoted field equal to the null marker ("" -> empty
    // string) from an unquoted one (,, -> null); it does not change anything else when reading.
    return CSVFormat.Builder.create()
        .setDelimiter(format.delimiter())
        .setQuote(format.quote())
        .setRecordSeparator("\r\n")
        .setIgnoreEmptyLines(false)
        .setIgnoreSurroundingSpaces(false)
        .setTrim(false)
        .setNullString(format.nullMarker())
        .setQuoteMode(format.nullMarker() == null ? QuoteMode.MINIMAL : QuoteMode.ALL_NON_NULL)
        .get();
  }

  public CsvFormat format() {
    return format;
  }

  @Override
  public String describe() {
    return "csv " + files.pattern() + " " + format.describe();
  }

  @Override
  protected Rows open(Path file, String relative, ObservedSchema observed) throws IOException {
    return open(file, relative, observed, FilePart.WHOLE);
  }

  /**
   * The file, or a part of its lines ({@link TextPart}) numbered as in the whole file; a part's
   * columns are the file's header's, read from the file's start for a part after it.
   */
  @Override
  protected Rows open(Path file, String relative, ObservedSchema observed, FilePart part)
      throws IOException {
    TextPart text = TextPart.of(file, part);
    CsvRows header = null;
    if (format.header() && !text.atFileStart()) {
      try (Rows h = open(file, relative, observed)) {
        header = (CsvRows) h; // its header only
      }
    }
    StrictReader reader = text.reader(file, format.encoding(), relative);
    try {
      CsvLexer lexer = parserOnly ? CsvLexer.parserOnly(reader, csv) : new CsvLexer(reader, csv);
      return new CsvRows(lexer, reader, file, relative, observed, header, text.linesBefore);
    } catch (IOException | RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  /** Parts of about {@code bytes} each, split at line starts ({@link TextPart}). */
  @Override
  protected List<FilePart> parts(Path file, long bytes) throws IOException {
    return TextPart.parts(file, bytes, format.encoding());
  }

  private final class CsvRows implements Rows {
    private final CsvLexer lexer;
    private final StrictReader decoded;
    private final Path path;
    private final String file;
    private final ObservedSchema observed;
    private int[] positions;

    /**
     * Header positions of the columns that are not declared, and where each added column number is
     * (-1: not in this file).
     */
    private int[] addedPositions = new int[0];

    private int[] positionOfAdded = new int[0];
    private int width;
    private String[] record;
    private long line;
    private long endLine;

    /** The line breaks before the lexer's text: 0 for a whole file ({@link TextPart}). */
    private final long linesBefore;

    /** The syntax error the parser cannot move past, once met, and the text from its record on. */
    private DataException broken;

    private String brokenRaw = "";

    /**
     * Rows of {@code lexer}'s text, which starts after {@code linesBefore} line breaks of the file;
     * with the columns of {@code header}'s, a reader of the file's start that read its header, or
     * else of the header this text starts with (when the format has one).
     */
    CsvRows(
        CsvLexer lexer,
        StrictReader decoded,
        Path path,
        String file,
        ObservedSchema observed,
        CsvRows header,
        long linesBefore)
        throws IOException {
      this.lexer = lexer;
      this.decoded = decoded;
      this.path = path;
      this.file = file;
      this.observed = observed;
      this.linesBefore = linesBefore;
      this.endLine = linesBefore;
      if (header != null) {
        width = header.width;
        positions = header.positions;
        addedPositions = header.addedPositions;
        positionOfAdded = header.positionOfAdded;
      } else if (format.header()) {
        readHeader();
      } else {
        width = schema.size();
        positions = new int[width];
        for (int i = 0; i < width; i++) {
          positions[i] = i;
          if (observed != null) {
            observed.present(i);
          }
        }
        if (observed != null) {
          observed.unit();
        }
      }
    }

    private void readHeader() throws IOException {
      String[] header = advance();
      if (header == null) {
        throw new DataException(
            file
                + ":1: the file is empty: expected a header row with the columns "
                + schema.names());
      }
      DataException undecodable = decoded.problem(line, endLine);
      if (undecodable != null) {
        throw new DataException(undecodable.getMessage() + " (in the header)", undecodable);
      }
      Map<String, Integer> byName = new HashMap<>();
      boolean keeps = observed != null && observed.keepsAdded();
      for (int i = 0; i < header.length; i++) {
        String name = header[i] == null ? "" : header[i];
        // an undeclared name given twice is ignored, unless its values are kept: then it is
        // ambiguous
        if (byName.put(name, i) != null && (schema.indexOf(name) >= 0 || keeps)) {
          throw new DataException(
              file + ":" + line + ": the header names column '" + name + "' twice");
        }
      }
      width = header.length;
      positions = new int[schema.size()];
      String where = file + ":" + line;
      for (int i = 0; i < schema.size(); i++) {
        Integer at = byName.get(schema.column(i).name());
        if (at == null && observed == null) {
          throw new DataException(
              where
                  + ": the header has no column '"
                  + schema.column(i).name()
                  + "': expected the declared columns "
                  + schema.names()
                  + ", found "
                  + Arrays.asList(header));
        }
        positions[i] = at == null ? -1 : at;
        if (observed != null) {
          if (at == null) {
            observed.missing(i, where);
          } else {
            observed.present(i);
          }
        }
      }
      if (observed != null) {
        observeAdded(header, where);
      }
    }

    /**
     * Reports the header's undeclared columns, typed string (the first file to show one decides
     * what evolve adds).
     */
    private void observeAdded(String[] header, String where) {
      observed.unit();
      List<Integer> at = new ArrayList<>();
      for (int i = 0; i < header.length; i++) {
        String name = header[i] == null ? "" : header[i];
        if (schema.indexOf(name) < 0) {
          int k = observed.add(name, where);
          try {
            observed.type(k, DataType.STRING);
          } catch (DataException e) {
            throw new DataException(where + ": " + e.getMessage(), e);
          }
          at.add(i);
          if (positionOfAdded.length <= k) {
            int from = positionOfAdded.length;
            positionOfAdded = Arrays.copyOf(positionOfAdded, k + 1);
            Arrays.fill(positionOfAdded, from, k + 1, -1);
          }
          positionOfAdded[k] = i;
        }
      }
      addedPositions = at.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The next record (blank lines included), tracking the line it starts on. */
    private String[] advance() {
      if (broken != null) {
        throw broken;
      }
      // hasNext() parses the next record, so a syntax error is met there: its line must be set
      // first
      line = endLine + 1;
      record = null;
      try {
        String[] r = lexer.next();
        if (r == null) {
          return null;
        }
        endLine = linesBefore + lexer.lines();
        return r;
      } catch (UncheckedIOException e) {
        Throwable cause = e.getCause();
        if (cause instanceof CSVException) {
          throw broken(e, cause.getMessage());
        }
        throw e;
      } catch (IllegalStateException e) {
        throw broken(e, e.getMessage());
      }
    }

    /**
     * A syntax error leaves the parser somewhere inside a record (an unterminated quote has read to
     * the end of the file): nothing after it can be trusted, so every later read repeats it.
     */
    private DataException broken(RuntimeException e, String message) {
      long at = endLine + 1;
      if (message != null && message.contains(UNCLOSED_QUOTE)) {
        message =
            "a quoted field opened in this record is never closed: the end of the file was reached inside it,"
                + " so nothing after line "
                + at
                + " can be read (close the quote)";
      } else if (message != null && message.contains(AFTER_CLOSING_QUOTE)) {
        // "abc"x, or a stray quote opening a field that a later quote closes; the parser's own line
        // is where it noticed, not where the record starts, so only the record's line is given
        message =
            "characters after a closing quote: a field that starts with a quote must end at its closing quote,"
                + " so nothing after line "
                + at
                + " can be read (if a quote is part of the value, quote the whole field"
                + " and double the quote inside it)";
      } else if (message != null) {
        message = PARSER_POSITION.matcher(message).replaceAll("");
      }
      broken = new DataException(file + ":" + at + ": malformed CSV: " + message, e);
      brokenRaw = textFrom(at);
      return broken;
    }

    /**
     * The file's text from {@code first} line on, for the dead letter of a record the parser could
     * not read: at most one letter's worth ({@link DeadLetter#MAX_RAW_BYTES}, plus one character so
     * the letter is marked cut), bytes the encoding cannot decode replaced. Line breaks are counted
     * as the parser counts them (CR, LF or CRLF).
     */
    private String textFrom(long first) {
      CharsetDecoder decoder =
          format
              .encoding()
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE)
              .onUnmappableCharacter(CodingErrorAction.REPLACE);
      StringBuilder text = new StringBuilder();
      try (Reader in =
          new BufferedReader(new InputStreamReader(Files.newInputStream(path), decoder))) {
        long at = 1;
        int previous = -1;
        for (int ch = in.read();
            ch >= 0 && text.length() <= DeadLetter.MAX_RAW_BYTES;
            previous = ch, ch = in.read()) {
          if ((previous == '\r' && ch != '\n') || previous == '\n') {
            at++;
          }
          if (at >= first) {
            text.append((char) ch);
          }
        }
      } catch (IOException e) {
        return ""; // the letter keeps its position and reason; the file could not be read again
      }
      return text.toString();
    }

    @Override
    public boolean next() {
      while (true) {
        record = advance();
        if (record == null) {
          return false;
        }
        // every record ends with a line break (StrictReader supplies a missing last one), so it
        // spans line..endLine
        DataException undecodable = decoded.problem(line, endLine);
        if (undecodable != null) {
          throw undecodable;
        }
        if (record.length == 1 && width > 1 && (record[0] == null || record[0].isEmpty())) {
          continue; // a blank line
        }
        if (record.length != width) {
          throw new DataException(
              position() + ": expected " + width + " columns, found " + record.length);
        }
        return true;
      }
    }

    @Override
    public String position() {
      return file + ":" + line;
    }

    @Override
    public String raw() {
      if (broken != null) {
        return brokenRaw;
      }
      return record == null ? "" : rawFormat.format((Object[]) record);
    }

    @Override
    public Object value(int column) {
      Column c = schema.column(column);
      try {
        return ValueParser.parse(c, positions[column] < 0 ? null : record[positions[column]]);
      } catch (DataException e) {
        throw new DataException(position() + ": " + e.getMessage(), e);
      }
    }

    @Override
    public String text(int column) {
      return positions[column] < 0 ? null : record[positions[column]];
    }

    @Override
    public DataType typeOf(int column) {
      String text = text(column);
      return text == null ? null : ValueParser.typeOf(text);
    }

    @Override
    public long addedValues() {
      long n = 0;
      for (int p : addedPositions) {
        if (record[p] != null) {
          n++;
        }
      }
      return n;
    }

    @Override
    public Object addedValue(int index, Column column) {
      String text =
          index < positionOfAdded.length && positionOfAdded[index] >= 0
              ? record[positionOfAdded[index]]
              : null;
      try {
        return ValueParser.parse(column, text);
      } catch (DataException e) {
        throw new RetypedValue(
            new DataException(position() + ": " + e.getMessage(), e),
            column.name(),
            ValueParser.typeOf(text));
      }
    }

    @Override
    public void close() throws IOException {
      lexer.close();
    }
  }

  /**
   * The window's files for a destination to read itself, when every file is plain ({@link
   * PlainCsvFile}), all have the same header naming exactly the declared columns (or, without a
   * header, as many fields as columns), the null marker is the empty field and the encoding UTF-8,
   * and a time window's column is a date or timestamp read in a zone with a fixed offset (so that
   * its bounds are two local date-times).
   */
  @Override
  public Optional<CsvFiles> csvFiles(WindowSpec spec, Window window) throws IOException {
    if (!"".equals(format.nullMarker()) || !StandardCharsets.UTF_8.equals(format.encoding())) {
      return Optional.empty();
    }
    int windowColumn = -1;
    LocalDateTime from = null;
    LocalDateTime until = null;
    if (spec.timeBased()) {
      windowColumn = schema.indexOf(spec.column());
      if (windowColumn < 0
          || !spec.zone().getRules().isFixedOffset()
          || window.start() == null
          || window.end() == null) {
        return Optional.empty();
      }
      DataType.Kind kind = schema.column(windowColumn).type().kind();
      if (kind != DataType.Kind.DATE && kind != DataType.Kind.TIMESTAMP) {
        return Optional.empty();
      }
      ZoneOffset offset = spec.zone().getRules().getOffset(Instant.EPOCH);
      from = LocalDateTime.ofInstant(window.start(), offset);
      until = LocalDateTime.ofInstant(window.end(), offset);
    }
    List<Path> paths = windowPaths(spec, window);
    if (paths.isEmpty()) {
      return Optional.empty();
    }
    PlainCsvFile.Shape seen = null;
    List<Integer> positions = null;
    for (Path f : paths) {
      Optional<PlainCsvFile.Shape> shape = plainShape(f);
      if (shape.isEmpty()) {
        return Optional.empty();
      }
      PlainCsvFile.Shape s = shape.get();
      if (seen == null) {
        positions = positions(s);
        if (positions == null) {
          return Optional.empty();
        }
        seen = s;
      } else if (s.fields() != seen.fields()
          || s.crlf() != seen.crlf()
          || (format.header() && !s.firstLine().equals(seen.firstLine()))) {
        return Optional.empty();
      }
    }
    return Optional.of(
        new CsvFiles(
            paths,
            format.delimiter(),
            format.quote(),
            seen.crlf(),
            format.header(),
            seen.fields(),
            positions,
            schema,
            windowColumn,
            from,
            until));
  }

  /**
   * The byte check of ADR 0009 ({@link PlainCsvFile#check}), remembered by the SHA-256 of the bytes
   * checked: a file holding several windows is read once for it, not once per window. A result is
   * kept only when the file's hash is the same after the check as before it.
   */
  private Optional<PlainCsvFile.Shape> plainShape(Path f) throws IOException {
    String before = contentHash(f);
    Checked known = checked.get(f);
    if (known != null && known.sha256().equals(before)) {
      return known.shape();
    }
    Optional<PlainCsvFile.Shape> shape = PlainCsvFile.check(f, format.delimiter(), format.quote());
    if (before.equals(contentHash(f))) {
      checked.put(f, new Checked(before, shape));
    }
    return shape;
  }

  /** A file's byte check, with the hash of the bytes it checked. */
  private record Checked(String sha256, Optional<PlainCsvFile.Shape> shape) {}

  /**
   * Where each declared column is in a record of a file of this shape: by the header, which must
   * name exactly the declared columns, each once (so that reading it observes nothing but them);
   * without one, the first fields, which must be as many as the columns. Null otherwise.
   */
  private List<Integer> positions(PlainCsvFile.Shape shape) {
    List<Integer> positions = new ArrayList<>();
    if (!format.header()) {
      if (shape.fields() != schema.size()) {
        return null;
      }
      for (int i = 0; i < schema.size(); i++) {
        positions.add(i);
      }
      return positions;
    }
    String[] names = shape.firstLine().split(Pattern.quote(String.valueOf(format.delimiter())), -1);
    if (names.length != schema.size()
        || new HashSet<>(Arrays.asList(names)).size() != names.length) {
      return null;
    }
    List<String> header = Arrays.asList(names);
    for (int i = 0; i < schema.size(); i++) {
      int at = header.indexOf(schema.column(i).name());
      if (at < 0) {
        return null;
      }
      positions.add(at);
    }
    return positions;
  }

  @Override
  public void observeHeaders(WindowSpec spec, Window window, ObservedSchema observed)
      throws IOException {
    for (Path f : windowPaths(spec, window)) {
      try (Rows header = open(f, files.relative(f), observed)) {
        // opening reads the header, which reports the file's columns
      }
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
