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

/**
 * Decodes bytes strictly: a byte sequence that is not valid in the charset is a
 * {@link DataException} naming the file and the line it is on, never a replacement character.
 * Unlike {@code InputStreamReader}, every character before the bad bytes is delivered first, and
 * lines are counted here, so the line in the message is exact. A UTF-8 byte order mark at the
 * start is dropped.
 */
final class StrictReader extends Reader {
  private final InputStream in;
  private final CharsetDecoder decoder;
  private final String file;
  private final ByteBuffer bytes = ByteBuffer.allocate(64 * 1024).flip();
  private boolean eof;
  private boolean flushed;
  private boolean start = true;
  private long line = 1;
  private boolean lastWasCr;

  StrictReader(InputStream in, Charset charset, String file) {
    this.in = in;
    this.file = file;
    this.decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  @Override
  public int read(char[] cbuf, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    CharBuffer out = CharBuffer.wrap(cbuf, off, len);
    while (true) {
      CoderResult r = decoder.decode(bytes, out, eof);
      if (r.isError()) {
        if (out.position() > off) {
          break; // deliver what came before the bad bytes; the next call reports them
        }
        throw invalid(r.length());
      }
      if (r.isOverflow()) {
        break;
      }
      if (out.position() > off) {
        break;
      }
      if (eof) {
        if (!flushed) {
          flushed = true;
          decoder.flush(out);
          if (out.position() > off) {
            break;
          }
        }
        return -1;
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
      hex.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02X", bytes.get(bytes.position() + i) & 0xff));
    }
    String what = hex.length() == 0 ? "a truncated" : "an invalid";
    return new DataException(file + ":" + line + ": " + what + " " + decoder.charset().name() + " byte sequence"
        + (hex.length() == 0 ? " at the end of the file" : " (" + hex + ")")
        + ": expected " + decoder.charset().name() + " text; declare the file's encoding if it is another one");
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
