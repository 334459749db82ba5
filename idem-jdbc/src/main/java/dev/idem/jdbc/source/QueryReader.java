package dev.idem.jdbc.source;

import dev.idem.DataException;
import dev.idem.jdbc.Jdbc;
import dev.idem.jdbc.dialect.SourceDialect;
import dev.idem.jdbc.source.JdbcSource.Columns;
import dev.idem.schema.Column;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.schema.ValueParser;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * The rows of one window's source query, streamed from its open result inside a read-only
 * transaction: declared columns where {@link Columns} finds them (strictly from their text when
 * retyped), then the added columns when the observation keeps them. Closing rolls back and closes.
 */
final class QueryReader implements RecordReader {
  private final Connection connection;
  private final ResultSet rows;
  private final Columns columns;
  private final Window window;
  private final ObservedSchema observed;

  /**
   * Added columns read as text: the target has its own type for them, and no driver conversion may
   * narrow a value.
   */
  private final boolean[] addedAsText;

  private final Schema schema;
  private long row;

  QueryReader(
      Connection connection,
      ResultSet rows,
      Columns columns,
      Window window,
      ObservedSchema observed,
      Schema schema,
      SourceDialect dialect)
      throws SQLException {
    this.schema = schema;
    this.connection = connection;
    this.rows = rows;
    this.columns = columns;
    this.window = window;
    this.observed = observed;
    this.addedAsText = new boolean[columns.added().length];
    for (int k = 0; k < addedAsText.length; k++) {
      Column c = observed == null ? null : observed.column(k);
      addedAsText[k] =
          c != null
              && columns.added()[k] > 0
              && !c.type()
                  .equals(dialect.resultType(rows.getMetaData(), columns.added()[k]).orElse(null));
    }
  }

  @Override
  public SourceRecord next() throws IOException {
    try {
      if (!rows.next()) {
        return null;
      }
      row++;
      int[] positions = columns.positions();
      boolean keep = observed != null && observed.keepsAdded();
      Object[] values = new Object[positions.length + (keep ? columns.added().length : 0)];
      for (int c = 0; c < positions.length; c++) {
        Column column = schema.column(c);
        values[c] = read(positions[c], column, columns.asText()[c]);
      }
      if (keep) {
        for (int k = 0; k < columns.added().length; k++) {
          Column column = observed.column(k);
          if (column != null && columns.added()[k] > 0) {
            values[positions.length + k] = read(columns.added()[k], column, addedAsText[k]);
          }
        }
      } else if (observed != null) {
        long dropped = 0;
        for (int i : columns.added()) {
          if (i > 0 && rows.getObject(i) != null) {
            dropped++;
          }
        }
        observed.dropped(dropped);
      }
      return new SourceRecord(values, "query row " + row);
    } catch (SQLException e) {
      throw new IOException(
          "source query for window " + window.id() + " at row " + row + ": " + e.getMessage(), e);
    }
  }

  /**
   * Result column {@code i} as {@code column}'s type (null when the result lacks it); strictly from
   * its text when {@code asText}.
   */
  private Object read(int i, Column column, boolean asText) {
    if (i < 0) {
      return null;
    }
    try {
      return asText
          ? ValueParser.parse(column, rows.getString(i))
          : JdbcSource.value(rows, i, column.type());
    } catch (DataException | SQLException e) {
      throw new DataException(
          "window "
              + window.id()
              + " row "
              + row
              + ": column "
              + column.name()
              + ": "
              + e.getMessage().replaceFirst("^column " + Pattern.quote(column.name()) + ": ", ""));
    }
  }

  @Override
  public void close() throws IOException {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // read-only: nothing to undo
    } finally {
      Jdbc.closeQuietly(rows);
      Jdbc.closeQuietly(connection);
    }
  }
}
