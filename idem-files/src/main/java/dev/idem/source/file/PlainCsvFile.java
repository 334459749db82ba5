package dev.idem.source.file;

import dev.idem.source.CsvFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The check of a CSV file's bytes that {@link CsvFiles} states: no NUL, no byte order mark, no lone
 * CR, no blank line, one line ending throughout, lines under {@link CsvFiles#MAX_LINE_BYTES}, valid
 * UTF-8, and every line with as many fields as the first. A quote may only open a field and close
 * it (a delimiter or the line's end right after), with a quote inside written twice and no line
 * break inside; the first line holds none. So each line is one record, each delimiter outside
 * quotes ends a field, and Commons CSV, as {@link CsvSource} configures it, and any strict CSV
 * reader whose quote and escape are that character read it alike.
 */
final class PlainCsvFile {
  /** What a plain file showed: its first line (the header, when there is one) and line ending. */
  record Shape(String firstLine, int fields, boolean crlf) {}

  private static final int CR = '\r';
  private static final int LF = '\n';

  /** Where a byte is in its field: at the field's start, inside an unquoted one, ... */
  private static final int FIELD_START = 0;

  private static final int IN_FIELD = 1;

  /** ... inside a quoted field, just after a quote inside it (closing, or the first of two), ... */
  private static final int QUOTED = 2;

  private static final int QUOTE_IN_QUOTED = 3;

  /** ... or after the quote that closed it. */
  private static final int CLOSED = 4;

  private PlainCsvFile() {}

  /** The file's shape when it is plain, else empty. */
  static Optional<Shape> check(Path file, char delimiter, char quote) throws IOException {
    if (delimiter > 0x7f || quote > 0x7f) {
      return Optional.empty();
    }
    byte[] first = new byte[256];
    int firstLength = 0;
    boolean inFirst = true;
    int expected = -1; // delimiters a line must hold, from the first line
    int delimiters = 0;
    int lineLength = 0;
    int ending = 0; // 0 unknown, 1 LF, 2 CRLF
    boolean cr = false;
    boolean ascii = true;
    int quoting = FIELD_START;
    long size = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        for (int i = 0; i < n; i++) {
          int b = buf[i] & 0xff;
          if (size++ == 0 && b == 0xef) {
            return Optional.empty(); // a byte order mark, or a first character to be careful of
          }
          if (cr && b != LF) {
            return Optional.empty(); // a lone CR: a line break to Commons CSV
          }
          if (quoting == QUOTED || quoting == QUOTE_IN_QUOTED) {
            if (quoting == QUOTE_IN_QUOTED && b != quote) {
              quoting = CLOSED; // the field's closing quote: a delimiter or the line's end follows
            } else {
              if (b == CR || b == LF || b == 0 || ++lineLength > CsvFiles.MAX_LINE_BYTES) {
                return Optional.empty(); // a line break inside quotes: a record of several lines
              }
              quoting =
                  b != quote ? QUOTED : quoting == QUOTED ? QUOTE_IN_QUOTED : QUOTED; // "" is one "
              ascii &= b <= 0x7f;
              continue;
            }
          }
          if (b == quote) {
            if (quoting != FIELD_START || inFirst) {
              // a quote inside a field or after a closing quote; or a quoted header name (the
              // header is read by splitting its line)
              return Optional.empty();
            }
            quoting = QUOTED;
            ++lineLength;
            continue;
          }
          if (quoting == CLOSED && b != delimiter && b != CR && b != LF) {
            return Optional.empty(); // characters after a closing quote
          }
          quoting = b == delimiter || b == CR || b == LF ? FIELD_START : IN_FIELD;
          if (b == CR) {
            cr = true;
            continue;
          }
          if (b == LF) {
            int thisEnding = cr ? 2 : 1;
            cr = false;
            if (lineLength == 0 || (ending != 0 && ending != thisEnding)) {
              return Optional.empty(); // a blank line, or mixed line endings
            }
            ending = thisEnding;
            if (expected < 0) {
              expected = delimiters;
              inFirst = false;
            } else if (delimiters != expected) {
              return Optional.empty();
            }
            delimiters = 0;
            lineLength = 0;
            continue;
          }
          if (b == 0 || ++lineLength > CsvFiles.MAX_LINE_BYTES) {
            return Optional.empty();
          }
          if (b == delimiter) {
            delimiters++;
          } else if (b > 0x7f) {
            ascii = false;
          }
          if (inFirst) {
            if (firstLength == first.length) {
              first = java.util.Arrays.copyOf(first, first.length * 2);
            }
            first[firstLength++] = (byte) b;
          }
        }
      }
    }
    if (cr || size == 0 || quoting == QUOTED) {
      return Optional.empty();
    }
    if (lineLength > 0) { // a last line without a line break
      if (expected < 0) {
        expected = delimiters;
      } else if (delimiters != expected) {
        return Optional.empty();
      }
    }
    if (!ascii && !utf8(file)) {
      return Optional.empty();
    }
    return Optional.of(
        new Shape(
            new String(first, 0, firstLength, StandardCharsets.UTF_8), expected + 1, ending == 2));
  }

  /**
   * Whether the file is valid UTF-8, decoded in chunks: memory does not grow with the file (a file
   * of any size is checked; one that is not UTF-8 takes the row path).
   */
  private static boolean utf8(Path file) throws IOException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.allocate(1 << 16);
    CharBuffer out = CharBuffer.allocate(1 << 16);
    try (ReadableByteChannel channel = Files.newByteChannel(file)) {
      boolean end = false;
      while (!end) {
        end = channel.read(in) < 0;
        in.flip();
        CoderResult r = decoder.decode(in, out, end);
        while (r.isOverflow()) {
          out.clear();
          r = decoder.decode(in, out, end);
        }
        if (r.isError()) {
          return false;
        }
        out.clear();
        in.compact(); // an incomplete sequence at the chunk's end waits for the next bytes
      }
      in.flip();
      CoderResult r = decoder.flush(out);
      return !r.isError() && !in.hasRemaining();
    }
  }
}
