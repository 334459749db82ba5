package dev.idem.source;

import dev.idem.schema.Schema;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Objects;

/**
 * A window's input as CSV files that a database may read itself ({@link OffersCsvFiles}), with what
 * the source has checked of their bytes so that any strict CSV reader splits them into exactly the
 * records and fields the source's own reader returns: the files are valid UTF-8 without a byte
 * order mark or a NUL; a {@link #quote} character only opens and closes a whole field on one line
 * (a delimiter or the line's end right after it), with a quote inside the field doubled, and never
 * in the first line; every line ends alike ({@link #crlf}), none is blank, none is longer than
 * {@link #MAX_LINE_BYTES}; and every record has exactly {@link #width} fields. So a field is the
 * text between two delimiters outside quotes, unquoted and undoubled; an empty unquoted field is
 * null, an empty quoted one the empty string.
 *
 * <p>What it does not say is whether the values are of their types: the reader of these files must
 * prove that itself, for every value of the window's records ({@link dev.idem.schema.PlainText}),
 * and for the {@link #windowColumn} of every record of the files (a record without a window is a
 * bad record of some window), and must stage nothing otherwise.
 *
 * @param files the files, in the order the source reads them
 * @param delimiter the field delimiter, an ASCII character
 * @param quote the quote character, also the character that escapes it inside a quoted field
 * @param crlf true when every line ends with CR LF, false when every line ends with LF
 * @param header true when each file's first line is a header, to be skipped
 * @param width the number of fields of every record
 * @param positions for each declared column, its field's index (0-based) in a record
 * @param columns the declared columns, in staged order
 * @param windowColumn the index of the column that assigns records to windows, or -1 when every
 *     record of the files belongs to the window
 * @param from the window's first local date-time in the window column ({@code windowColumn >= 0})
 * @param until the local date-time after the window's last ({@code windowColumn >= 0})
 */
public record CsvFiles(
    List<Path> files,
    char delimiter,
    char quote,
    boolean crlf,
    boolean header,
    int width,
    List<Integer> positions,
    Schema columns,
    int windowColumn,
    LocalDateTime from,
    LocalDateTime until) {
  /** The longest line a file may hold: far under a database reader's own limit (DuckDB's 2 MB). */
  public static final int MAX_LINE_BYTES = 1 << 20;

  public CsvFiles {
    files = List.copyOf(files);
    positions = List.copyOf(positions);
    Objects.requireNonNull(columns, "columns");
    if (positions.size() != columns.size()) {
      throw new IllegalArgumentException("a position for each column");
    }
    if (windowColumn >= 0 && (from == null || until == null)) {
      throw new IllegalArgumentException("a window column needs its bounds");
    }
  }
}
