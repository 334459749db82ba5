package dev.idem.source.file;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;

/**
 * A CSV text's records as arrays of field values, with the number of lines read so far. A line
 * without the quote character is split at the delimiter here, as Commons CSV would split it under
 * {@link CsvSource}'s format (no escape, no comment marker, nothing trimmed, a field equal to the
 * null marker read as null); from the first line that holds a quote on, the rest of the text is
 * handed to Commons CSV's parser, which reads quoted fields, doubled quotes and line breaks inside
 * quotes and reports their syntax errors. Splitting a plain line scans its characters once, where
 * the parser lexes them one call at a time (docs/performance.md measures the difference).
 */
final class CsvLexer implements Closeable {
  private final Reader in;
  private final CSVFormat csv;
  private final char delimiter;
  private final char quote;
  private final String nullMarker;
  private char[] buf;
  private int pos;
  private int limit;
  private boolean eof;

  /** From the first line holding a quote on: the parser, and the lines read before it started. */
  private CSVParser parser;

  private Iterator<CSVRecord> records;
  private long linesBefore;
  private long lines;

  CsvLexer(Reader in, CSVFormat csv) {
    this(in, csv, 64 * 1024);
  }

  /** Commons CSV's parser for the whole text, as before this class (to compare with in tests). */
  static CsvLexer parserOnly(Reader in, CSVFormat csv) throws IOException {
    CsvLexer lexer = new CsvLexer(in, csv, 1);
    lexer.startParser(0);
    return lexer;
  }

  /**
   * With a first buffer of {@code bufferSize} characters (grown for a longer line). {@code csv} is
   * {@link CsvSource#parserFormat}'s: one delimiter character and a quote, nothing else that would
   * make the parser read a line without a quote otherwise than split at the delimiter.
   */
  CsvLexer(Reader in, CSVFormat csv, int bufferSize) {
    String d = csv.getDelimiterString();
    if (d.length() != 1
        || csv.getQuoteCharacter() == null
        || csv.isEscapeCharacterSet()
        || csv.isCommentMarkerSet()
        || csv.getIgnoreEmptyLines()
        || csv.getIgnoreSurroundingSpaces()
        || csv.getTrim()
        || csv.getTrailingDelimiter()
        || (csv.getNullString() == null && csv.getQuoteMode() != QuoteMode.MINIMAL)) {
      throw new IllegalArgumentException("a format the plain split does not read as " + csv);
    }
    this.buf = new char[bufferSize];
    this.in = in;
    this.csv = csv;
    this.delimiter = d.charAt(0);
    this.quote = csv.getQuoteCharacter();
    this.nullMarker = csv.getNullString();
  }

  /**
   * The next record, blank lines included, or null at the end. A syntax error of a quoted record is
   * Commons CSV's: an {@link UncheckedIOException} around its {@code CSVException}, or an {@link
   * IllegalStateException}; a failure to read is an {@link UncheckedIOException} too.
   */
  String[] next() {
    try {
      return parser == null ? plain() : parsed();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the rest of the text went to Commons CSV's parser (a line held a quote). */
  boolean handedOver() {
    return parser != null;
  }

  /** The line breaks read so far (CR, LF and CRLF each one): the line the last record ends on. */
  long lines() {
    return parser == null ? lines : linesBefore + parser.getCurrentLineNumber();
  }

  private String[] parsed() {
    return records.hasNext() ? records.next().values() : null;
  }

  private String[] plain() throws IOException {
    int start = pos;
    int i = pos;
    while (true) {
      if (i == limit) {
        int moved = fill(start);
        start -= moved;
        i -= moved;
        if (i == limit) {
          if (start == i) {
            return null; // StrictReader ends every line with a break: nothing is left over
          }
          return split(start, i, i); // not from StrictReader: a last line without a break
        }
      }
      char ch = buf[i];
      if (ch == quote) {
        return handOver(start);
      }
      if (ch == '\n' || ch == '\r') {
        int end = i;
        i++;
        if (ch == '\r') {
          if (i == limit) {
            int moved = fill(start);
            start -= moved;
            end -= moved;
            i -= moved;
          }
          if (i < limit && buf[i] == '\n') {
            i++;
          }
        }
        return split(start, end, i);
      }
      i++;
    }
  }

  private String[] split(int start, int end, int next) {
    pos = next;
    lines++;
    List<String> fields = new ArrayList<>();
    int from = start;
    for (int j = start; j < end; j++) {
      if (buf[j] == delimiter) {
        fields.add(field(from, j));
        from = j + 1;
      }
    }
    fields.add(field(from, end));
    return fields.toArray(new String[0]);
  }

  private String field(int from, int to) {
    String s = new String(buf, from, to - from);
    return s.equals(nullMarker) ? null : s;
  }

  /**
   * Reads more text after {@code limit}, first moving the text from {@code keep} on to the start of
   * the buffer (growing it when that text fills it); returns how far it moved.
   */
  private int fill(int keep) throws IOException {
    if (eof) {
      return 0;
    }
    int moved = keep;
    if (keep > 0) {
      System.arraycopy(buf, keep, buf, 0, limit - keep);
      limit -= keep;
      pos -= Math.min(pos, keep);
    } else if (limit == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      eof = true;
    } else {
      limit += n;
    }
    return moved;
  }

  /** Hands the text from {@code start} (a line's start) on to Commons CSV's parser. */
  private String[] handOver(int start) throws IOException {
    startParser(start);
    return parsed();
  }

  private void startParser(int start) throws IOException {
    Reader rest =
        new Reader() {
          private int at = start;

          @Override
          public int read(char[] cbuf, int off, int len) throws IOException {
            if (len == 0) {
              return 0;
            }
            if (at < limit) {
              int n = Math.min(len, limit - at);
              System.arraycopy(buf, at, cbuf, off, n);
              at += n;
              return n;
            }
            return eof ? -1 : in.read(cbuf, off, len);
          }

          @Override
          public void close() throws IOException {
            in.close();
          }
        };
    linesBefore = lines;
    parser = CSVParser.builder().setReader(rest).setFormat(csv).get();
    records = parser.iterator();
  }

  @Override
  public void close() throws IOException {
    if (parser != null) {
      parser.close();
    } else {
      in.close();
    }
  }
}
