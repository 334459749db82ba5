package dev.idem.source.file;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A part of a text file read by lines (CSV, JSON lines), as Hadoop's line record reader splits one:
 * the part of blocks {@code [from, to)} ({@link FilePart}) reads the bytes from the first line
 * start at or after {@code from} to the first line start at or after {@code to}, a line start being
 * the file's start or the byte after an LF; a file's last part reads to the file's end, whatever
 * its size by then, as a whole file's read does. So the parts of a file cover its bytes once, each
 * ending where the next begins, whatever line a block boundary falls in. Its lines are numbered
 * from the line breaks before it (CR, LF and CRLF each one, as {@link StrictReader} counts them),
 * counted from the file's bytes.
 *
 * <p>An LF inside a quoted CSV field is not a record's end: a part that starts after one starts
 * inside a record. The part before it then ends inside that record, and its reader fails there (the
 * file ends inside a quoted field), which tells the engine to read the file whole instead
 * (dev.idem.spark's {@code SparkSource}); a file whose parts read without failing was split at
 * records' ends only, since the first part starts at one and each ends at one.
 *
 * <p>Only encodings in which the bytes of CR and LF are those characters and nothing else are split
 * ({@link #splits}): UTF-8 (whose multi-byte sequences hold no ASCII byte) and single-byte ASCII
 * encodings such as ISO-8859-1.
 */
final class TextPart {
  private static final int LF = '\n';
  private static final int CR = '\r';

  /** The bytes the part reads: {@code [start, end)} of the file, to its end for {@link #TO_END}. */
  final long start;

  final long end;

  private static final long TO_END = Long.MAX_VALUE;

  /** The line breaks before {@code start}: the part's first line is the file's line one after. */
  final long linesBefore;

  private TextPart(long start, long end, long linesBefore) {
    this.start = start;
    this.end = end;
    this.linesBefore = linesBefore;
  }

  /**
   * The parts of about {@code bytes} each that {@code file} can be read in: {@link FilePart#WHOLE}
   * for a file of at most {@code bytes}, or in an encoding that is not split.
   */
  static List<FilePart> parts(Path file, long bytes, Charset encoding) throws IOException {
    long size = Files.size(file);
    if (bytes <= 0 || size <= bytes || !splits(encoding)) {
      return List.of(FilePart.WHOLE);
    }
    List<FilePart> parts = new ArrayList<>();
    for (long from = 0; from < size; from += bytes) {
      int first = Math.toIntExact(from / bytes);
      // the last part reads to the file's end when it is read, as a whole file's read does
      int count = from + bytes < size ? 1 : Integer.MAX_VALUE - first;
      parts.add(new FilePart(first, count, FilePart.NOT_COUNTED, bytes));
    }
    return parts;
  }

  /**
   * Whether a file in {@code encoding} is split into parts: its CR and LF bytes are those
   * characters wherever they are, and no other byte is.
   */
  static boolean splits(Charset encoding) {
    if (encoding.equals(StandardCharsets.UTF_8) || encoding.equals(StandardCharsets.US_ASCII)) {
      return true;
    }
    if (!encoding.canEncode() || encoding.newEncoder().maxBytesPerChar() != 1.0f) {
      return false;
    }
    for (int b = 0; b < 256; b++) {
      String c = new String(new byte[] {(byte) b}, encoding);
      String expected = b == LF ? "\n" : b == CR ? "\r" : null;
      if (expected == null ? c.equals("\n") || c.equals("\r") : !c.equals(expected)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where {@code part} of {@code file} starts and ends, and the line breaks before it: those before
   * its first byte the part was given ({@link FilePart#counted}), else counted from the file's
   * start (which reads all the file before the part), and those from its first byte to its first
   * line start.
   */
  static TextPart of(Path file, FilePart part) throws IOException {
    if (part.whole()) {
      return new TextPart(0, TO_END, 0);
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      long start = lineStart(channel, part.from(), size);
      long end = part.to() >= size ? TO_END : lineStart(channel, part.to(), size);
      long before =
          part.uncounted()
              ? lineBreaks(channel, 0, start)
              : part.rowsBefore() + lineBreaks(channel, Math.min(part.from(), start), start);
      return new TextPart(start, Math.max(start, end), before);
    }
  }

  /**
   * The line breaks in {@code block}'s bytes of {@code file} (a CR, an LF not after a CR), the byte
   * before them telling whether an LF first is the end of a CR LF counted before: the blocks'
   * counts add up to the file's.
   */
  static long lineBreaks(Path file, FilePart block) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      return lineBreaks(channel, Math.min(block.from(), size), Math.min(block.to(), size));
    }
  }

  /** Whether the part starts at the file's start (a byte order mark is dropped only there). */
  boolean atFileStart() {
    return start == 0;
  }

  /**
   * The part's text, decoded strictly from {@code encoding}, its lines numbered from the file's
   * line after {@link #linesBefore} ({@code relative} names the file in problems).
   */
  StrictReader reader(Path file, Charset encoding, String relative) throws IOException {
    return new StrictReader(
        new BufferedInputStream(open(file), 64 * 1024),
        encoding,
        relative,
        linesBefore + 1,
        atFileStart());
  }

  /** The part's bytes. */
  private InputStream open(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      channel.position(start);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    InputStream in = Channels.newInputStream(channel);
    if (end == TO_END) {
      return in;
    }
    return new InputStream() {
      private long left = end - start;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  /** The first line start at or after {@code at}: 0, the byte after an LF, or the file's end. */
  private static long lineStart(FileChannel channel, long at, long size) throws IOException {
    if (at <= 0) {
      return 0;
    }
    if (at >= size) {
      return size;
    }
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    long position = at - 1; // a line starts at {@code at} when the byte before it is an LF
    while (position < size) {
      buf.clear();
      int n = channel.read(buf, position);
      if (n <= 0) {
        break;
      }
      for (int i = 0; i < n; i++) {
        if (buf.get(i) == LF) {
          return position + i + 1;
        }
      }
      position += n;
    }
    return size;
  }

  /**
   * The line breaks in bytes {@code [from, to)} of the file: each CR, and each LF not right after a
   * CR (the byte before {@code from} too), as {@link StrictReader} counts lines.
   */
  private static long lineBreaks(FileChannel channel, long from, long to) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    long breaks = 0;
    long position = from;
    boolean afterCr = false;
    if (from > 0 && from < to) {
      ByteBuffer before = ByteBuffer.allocate(1);
      afterCr = channel.read(before, from - 1) == 1 && before.get(0) == CR;
    }
    while (position < to) {
      buf.clear().limit((int) Math.min(buf.capacity(), to - position));
      int n = channel.read(buf, position);
      if (n <= 0) {
        break;
      }
      for (int i = 0; i < n; i++) {
        byte b = buf.get(i);
        if (b == CR || (b == LF && !afterCr)) {
          breaks++;
        }
        afterCr = b == CR;
      }
      position += n;
    }
    return breaks;
  }
}
