package dev.idem.source.file;

import dev.idem.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decodes bytes strictly: a byte sequence that is not valid in the charset is a {@link
 * DataException} naming the file and the line it is on, never a silent replacement character.
 * Unlike {@code InputStreamReader}, every character before the bad bytes is delivered first, and
 * lines are counted here, so the line in the message is exact. A UTF-8 byte order mark at the start
 * is dropped, and a line break is supplied at the end of a file that does not end with one, so the
 * last record ends like the others.
 *
 * <p>In UTF-8 and single-byte charsets a bad sequence never swallows a valid byte, so line breaks,
 * delimiters and quotes after it are read as written: there the bad bytes are replaced by U+FFFD,
 * reading goes on, and the problem is kept by line for the reader above to {@linkplain #problem
 * claim}; it turns the records on that line into bad records, so a replacement character never
 * reaches a destination. In other charsets (UTF-16, Shift_JIS, ...) the first bad sequence is
 * thrown.
 */
final class StrictReader extends Reader {
  private final InputStream in;
  private final CharsetDecoder decoder;
  private final String file;
  private final ByteBuffer bytes = ByteBuffer.allocate(64 * 1024).flip();
  private boolean eof;
  private boolean flushed;
  private boolean start;
  private long line;
  private boolean lastWasCr;

  /** Whether a bad sequence can be replaced without losing the bytes after it. */
  private final boolean recovers;

  /** The problem of every line holding bad bytes that no reader has claimed yet, by line. */
  private final TreeMap<Long, DataException> problems = new TreeMap<>();

  private boolean any;
  private boolean lastWasBreak;
  private boolean endSupplied;

  /**
   * Bytes that start on line {@code firstLine} of {@code file}: at the file's start ({@code
   * fileStart}, where a byte order mark is dropped) or at a line's start inside it ({@link
   * TextPart}).
   */
  StrictReader(InputStream in, Charset charset, String file, long firstLine, boolean fileStart) {
    this.in = in;
    this.file = file;
    this.line = firstLine;
    this.start = fileStart;
    this.decoder =
        charset
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    this.recovers =
        charset.equals(StandardCharsets.UTF_8)
            || (charset.canEncode() && charset.newEncoder().maxBytesPerChar() == 1.0f);
  }

  /**
   * The problem of the first line from {@code from} to {@code to} that held bytes invalid in the
   * charset, if any; problems before {@code from} are forgotten (lines are claimed in order).
   */
  DataException problem(long from, long to) {
    problems.headMap(from).clear();
    Map.Entry<Long, DataException> e = problems.ceilingEntry(from);
    return e == null || e.getKey() > to ? null : e.getValue();
  }

  @Override
  public int read(char[] cbuf, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    CharBuffer out = CharBuffer.wrap(cbuf, off, len);
    while (true) {
      if (flushed) {
        // everything is decoded (a decoder must not be called again once flushed)
        if (out.position() == off && any && !lastWasBreak && !endSupplied) {
          endSupplied = true;
          out.put('\n');
        }
        if (out.position() > off) {
          break;
        }
        return -1;
      }
      CoderResult r = decoder.decode(bytes, out, eof);
      if (r.isError()) {
        if (out.position() > off) {
          break; // deliver what came before the bad bytes (and count their lines); the next call
          // reports them
        }
        DataException problem = invalid(r.length());
        if (!recovers) {
          throw problem;
        }
        problems.putIfAbsent(line, problem);
        bytes.position(bytes.position() + r.length());
        out.put('\uFFFD');
        continue;
      }
      if (r.isOverflow()) {
        break;
      }
      if (out.position() > off) {
        break;
      }
      if (eof) {
        if (decoder.flush(out).isOverflow()) {
          break;
        }
        flushed = true;
        continue;
      }
      fill();
    }
    int n = out.position() - off;
    if (start) {
      start = false;
      if (cbuf[off] == '\uFEFF' && decoder.charset().equals(StandardCharsets.UTF_8)) {
        System.arraycopy(cbuf, off + 1, cbuf, off, n - 1);
        n--;
        if (n == 0) {
          return read(cbuf, off, len);
        }
      }
    }
    count(cbuf, off, n);
    if (n > 0) {
      any = true;
      lastWasBreak = cbuf[off + n - 1] == '\n' || cbuf[off + n - 1] == '\r';
    }
    return n;
  }

  private void fill() throws IOException {
    bytes.compact();
    int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
    if (n < 0) {
      eof = true;
    } else {
      bytes.position(bytes.position() + n);
    }
    bytes.flip();
  }

  private void count(char[] cbuf, int off, int n) {
    for (int i = off; i < off + n; i++) {
      char c = cbuf[i];
      if (c == '\n') {
        if (!lastWasCr) {
          line++;
        }
      } else if (c == '\r') {
        line++;
      }
      lastWasCr = c == '\r';
    }
  }

  private DataException invalid(int length) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < length && bytes.position() + i < bytes.limit(); i++) {
      hex.append(i == 0 ? "" : " ")
          .append(String.format(Locale.ROOT, "%02X", bytes.get(bytes.position() + i) & 0xff));
    }
    String what = hex.length() == 0 ? "a truncated" : "an invalid";
    return new DataException(
        file
            + ":"
            + line
            + ": "
            + what
            + " "
            + decoder.charset().name()
            + " byte sequence"
            + (hex.length() == 0 ? " at the end of the file" : " (" + hex + ")")
            + ": expected "
            + decoder.charset().name()
            + " text; declare the file's encoding if it is another one");
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
