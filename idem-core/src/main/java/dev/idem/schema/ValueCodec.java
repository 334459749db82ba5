package dev.idem.schema;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Values, strings and rows as one byte array, the form they travel to and from an engine's
 * executors in. Java serialization of many small objects (a window's rows: arrays, strings,
 * decimals) is slow at both ends; one array of bytes is a single object to it.
 *
 * <p>Each value is written with a type tag: the Java types of {@link DataType}, and a value of any
 * other type by Java serialization. Reading gives back equal values of the same classes.
 */
public final class ValueCodec {
  private static final byte NULL = 0;
  private static final byte STRING = 1;
  private static final byte LONG = 2;
  private static final byte DECIMAL = 3;
  private static final byte TRUE = 4;
  private static final byte FALSE = 5;
  private static final byte DATE = 6;
  private static final byte TIMESTAMP = 7;
  private static final byte INSTANT = 8;
  private static final byte OTHER = 9;

  /** A string's length in place of a null string. */
  private static final int NO_STRING = -1;

  /** A string's length in place of one written as UTF-16 chars. */
  private static final int CHARS = -2;

  private ValueCodec() {}

  /** A byte array output stream whose array can be read in place. */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer(int size) {
      super(size);
    }

    byte[] buffer() {
      return buf;
    }
  }

  /** Writes into one array. */
  public static final class Writer {
    private final Buffer bytes;
    private final DataOutputStream out;

    /** A writer of many rows: its array starts at 64 KiB. */
    public Writer() {
      this(1 << 16);
    }

    /** A writer whose array starts at {@code bytes} (a row or a few: a few hundred). */
    public Writer(int bytes) {
      this.bytes = new Buffer(bytes);
      this.out = new DataOutputStream(this.bytes);
    }

    /** A row of values, null allowed. */
    public void row(Object[] values) {
      integer(values == null ? -1 : values.length);
      if (values != null) {
        for (Object v : values) {
          value(v);
        }
      }
    }

    public void integer(int i) {
      try {
        out.writeInt(i);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** A string, null allowed. */
    public void string(String s) {
      try {
        if (s == null) {
          out.writeInt(NO_STRING);
        } else {
          text(s);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public byte[] bytes() {
      return bytes.toByteArray();
    }

    /** How many bytes are written so far. */
    public int size() {
      return out.size();
    }

    /** A reader of the bytes written {@code from} to {@code to}, read in place. */
    public Reader reader(int from, int to) {
      return new Reader(bytes.buffer(), from, to);
    }

    /**
     * Bytes {@code other} wrote, {@code from} to {@code to} of its {@link #bytes()}, as they are.
     */
    public void copy(Writer other, int from, int to) {
      copy(other.bytes.buffer(), from, to);
    }

    /** Appends {@code bytes} from {@code from} to {@code to}, values another writer wrote. */
    public void copy(byte[] bytes, int from, int to) {
      try {
        out.write(bytes, from, to - from);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** One value with its type's tag. */
    public void value(Object v) {
      try {
        write(v);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void write(Object v) throws IOException {
      if (v == null) {
        out.writeByte(NULL);
      } else if (v instanceof String s) {
        out.writeByte(STRING);
        text(s);
      } else if (v instanceof Long l) {
        out.writeByte(LONG);
        out.writeLong(l);
      } else if (v instanceof BigDecimal d) {
        out.writeByte(DECIMAL);
        out.writeInt(d.scale());
        byte[] unscaled = d.unscaledValue().toByteArray();
        out.writeShort(unscaled.length);
        out.write(unscaled);
      } else if (v instanceof Boolean b) {
        out.writeByte(b ? TRUE : FALSE);
      } else if (v instanceof LocalDate d) {
        out.writeByte(DATE);
        out.writeLong(d.toEpochDay());
      } else if (v instanceof LocalDateTime t) {
        out.writeByte(TIMESTAMP);
        Instant at = t.toInstant(ZoneOffset.UTC); // the wall time's seconds and nanos
        out.writeLong(at.getEpochSecond());
        out.writeInt(at.getNano());
      } else if (v instanceof Instant i) {
        out.writeByte(INSTANT);
        out.writeLong(i.getEpochSecond());
        out.writeInt(i.getNano());
      } else {
        out.writeByte(OTHER);
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(one)) {
          o.writeObject(v);
        }
        out.writeInt(one.size());
        one.writeTo(out);
      }
    }

    /**
     * UTF-8 bytes, or, for a string UTF-8 cannot hold (a lone surrogate, which a JSON reader may
     * give for {@code "\\ud800"}), its UTF-16 chars after the length {@link #CHARS}.
     */
    private void text(String s) throws IOException {
      if (wellFormed(s)) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
      } else {
        out.writeInt(CHARS);
        out.writeInt(s.length());
        out.writeChars(s);
      }
    }

    private static boolean wellFormed(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          return false;
        }
      }
      return true;
    }
  }

  /** Reads an array in the order it was written. */
  public static final class Reader {
    private final DataInputStream in;

    /** Where the bytes read end in the array. */
    private final int end;

    public Reader(byte[] bytes) {
      this(bytes, 0, bytes.length);
    }

    private Reader(byte[] bytes, int from, int to) {
      this.in = new DataInputStream(new ByteArrayInputStream(bytes, from, to - from));
      this.end = to;
    }

    /**
     * Where the next value starts in the array (the bytes of values read between two offsets can be
     * copied as they are: a {@link Reader} of them reads the same values).
     */
    public int offset() {
      try {
        return end - in.available();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** A row of values, or null. */
    public Object[] row() {
      int n = integer();
      Object[] values = n < 0 ? null : new Object[n];
      for (int i = 0; i < n; i++) {
        values[i] = value();
      }
      return values;
    }

    public int integer() {
      try {
        return in.readInt();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** A string, or null. */
    public String string() {
      try {
        int n = in.readInt();
        return n == NO_STRING ? null : text(n);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** One value, of the class it was written as. */
    public Object value() {
      try {
        return read();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private Object read() throws IOException {
      byte tag = in.readByte();
      return switch (tag) {
        case NULL -> null;
        case STRING -> text(in.readInt());
        case LONG -> in.readLong();
        case DECIMAL -> {
          int scale = in.readInt();
          byte[] unscaled = new byte[in.readUnsignedShort()];
          in.readFully(unscaled);
          yield new BigDecimal(new BigInteger(unscaled), scale);
        }
        case TRUE -> true;
        case FALSE -> false;
        case DATE -> LocalDate.ofEpochDay(in.readLong());
        case TIMESTAMP -> LocalDateTime.ofEpochSecond(in.readLong(), in.readInt(), ZoneOffset.UTC);
        case INSTANT -> Instant.ofEpochSecond(in.readLong(), in.readInt());
        case OTHER -> {
          byte[] object = new byte[in.readInt()];
          in.readFully(object);
          try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(object))) {
            yield o.readObject();
          } catch (ClassNotFoundException e) {
            throw new IOException("a value of a class this JVM lacks", e);
          }
        }
        default -> throw new IOException("a value with the unknown tag " + tag);
      };
    }

    private String text(int n) throws IOException {
      if (n == CHARS) {
        char[] chars = new char[in.readInt()];
        for (int i = 0; i < chars.length; i++) {
          chars[i] = in.readChar();
        }
        return new String(chars);
      }
      byte[] utf8 = new byte[n];
      in.readFully(utf8);
      return new String(utf8, StandardCharsets.UTF_8);
    }
  }
}
