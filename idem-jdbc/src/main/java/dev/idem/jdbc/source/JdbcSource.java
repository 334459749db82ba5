package dev.idem.jdbc.source;

import dev.idem.ConfigException;
import dev.idem.DataException;
import dev.idem.jdbc.Jdbc;
import dev.idem.key.KeyEncoding;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * A SQL query as source, one window at a time: the query's named parameters {@code :window_start}
 * and {@code :window_end} are bound to the window's closed-open bounds, typed like the window
 * column (date, timestamp in the pipeline's zone, or timestamptz). Rows stream with a fetch size
 * inside a read-only transaction, so memory stays constant whatever the window's size.
 *
 * <p>Incremental loads by an {@code updated_at}-style column need no per-row state: closed-open
 * windows never load a boundary row twice, and with a {@code lag} at least as long as the source's
 * longest writing transaction, a row committed late with an older {@code updated_at} still lands in
 * a window that was not complete when it was first read. Windows ending after now minus the lag are
 * refused as not complete yet.
 */
public final class JdbcSource implements Source {
  private final String url;
  private final Properties properties;
  private final NamedParameters query;
  private final String queryText;
  private final Schema schema;
  private final Optional<NamedParameters> fingerprintQuery;
  private final Duration lag;
  private final int fetchSize;
  private final Clock clock;

  public JdbcSource(String jdbcUrl, Properties properties, String query, Schema schema, Optional<String> fingerprintQuery, Duration lag, int fetchSize) {
    this(jdbcUrl, properties, query, schema, fingerprintQuery, lag, fetchSize, Clock.systemUTC());
  }

  /** With the clock that decides which windows are complete (tests pass a fixed one). */
  public JdbcSource(String jdbcUrl, Properties properties, String query, Schema schema, Optional<String> fingerprintQuery, Duration lag,
                    int fetchSize, Clock clock) {
    this.url = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    this.properties = properties == null ? new Properties() : (Properties) properties.clone();
    this.queryText = Objects.requireNonNull(query, "query").strip();
    this.query = NamedParameters.parse(queryText);
    this.schema = schema;
    this.fingerprintQuery = fingerprintQuery.map(NamedParameters::parse);
    this.lag = lag == null ? Duration.ZERO : lag;
    this.fetchSize = fetchSize;
    this.clock = clock;
    if (fetchSize < 1) {
      throw new ConfigException("fetch_size must be at least 1, got " + fetchSize);
    }
    for (NamedParameters q : fingerprintQuery.isPresent() ? List.of(this.query, this.fingerprintQuery.get()) : List.of(this.query)) {
      for (String name : q.names()) {
        if (!name.equals("window_start") && !name.equals("window_end")) {
          throw new ConfigException("query parameter :" + name + " is unknown: expected :window_start and :window_end");
        }
      }
    }
  }

  @Override
  public Schema schema() {
    return schema;
  }

  /**
   * Time windows: every complete window between the earliest and the latest value of the window
   * column that the query returns (bounded by now minus the lag). Other kinds: the one window.
   */
  @Override
  public List<Window> windows(WindowSpec spec) throws IOException {
    if (!spec.timeBased()) {
      return spec.kind() == WindowKind.FULL ? List.of(Window.full()) : List.of();
    }
    Instant completeUntil = clock.instant().minus(lag);
    String bounds = "SELECT min(q." + dev.idem.jdbc.SqlName.quote(spec.column()) + "), max(q." + dev.idem.jdbc.SqlName.quote(spec.column())
        + ") FROM (" + query.sql() + ") AS q";
    Window all = new Window("all", spec.kind(), Instant.EPOCH, completeUntil);
    try (Connection c = DriverManager.getConnection(url, properties); PreparedStatement ps = c.prepareStatement(bounds)) {
      bind(ps, query, spec, all);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Object min = value(rs, 1, windowColumn(spec).type());
        Object max = value(rs, 2, windowColumn(spec).type());
        if (min == null) {
          return List.of();
        }
        List<Window> windows = new ArrayList<>();
        for (Window w : spec.range(spec.assign(min).id(), spec.assign(max).id())) {
          if (!w.end().isAfter(completeUntil)) {
            windows.add(w);
          }
        }
        return windows;
      }
    } catch (SQLException e) {
      throw new IOException("source query (window bounds): " + e.getMessage(), e);
    }
  }

  @Override
  public RecordReader read(WindowSpec spec, Window window) throws IOException {
    checkComplete(spec, window);
    Connection c = null;
    try {
      c = DriverManager.getConnection(url, properties);
      c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
      readOnly(c);
      PreparedStatement ps = c.prepareStatement(query.sql(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
      ps.setFetchSize(fetchSize);
      bind(ps, query, spec, window);
      ResultSet rs = ps.executeQuery();
      int[] positions = positions(rs.getMetaData());
      return new Reader(c, rs, positions, window);
    } catch (SQLException e) {
      Jdbc.closeQuietly(c);
      throw new IOException("source query for window " + window.id() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<String> fingerprint(WindowSpec spec, Window window) throws IOException {
    if (fingerprintQuery.isEmpty()) {
      return Optional.empty();
    }
    checkComplete(spec, window);
    try (Connection c = DriverManager.getConnection(url, properties); PreparedStatement ps = c.prepareStatement(fingerprintQuery.get().sql())) {
      bind(ps, fingerprintQuery.get(), spec, window);
      try (ResultSet rs = ps.executeQuery()) {
        List<Object> values = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          for (int i = 1; i <= n; i++) {
            values.add(rs.getString(i));
          }
        }
        return Optional.of("query:" + KeyEncoding.sha256Hex(values.toArray()));
      }
    } catch (SQLException e) {
      throw new IOException("fingerprint query for window " + window.id() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "jdbc query " + queryText + " fingerprint " + fingerprintQuery.map(NamedParameters::sql).orElse("-") + " lag " + lag;
  }

  private void checkComplete(WindowSpec spec, Window window) {
    if (window.bounded() && window.end().isAfter(clock.instant().minus(lag))) {
      throw new DataException("window " + window.id() + " is not complete yet: it ends at " + window.end() + " and the source's lag is " + lag);
    }
  }

  private Column windowColumn(WindowSpec spec) {
    return schema.find(spec.column()).orElseThrow(() -> new ConfigException("window column " + spec.column() + " is not a declared column"));
  }

  /** Binds :window_start/:window_end typed like the window column. */
  private void bind(PreparedStatement ps, NamedParameters q, WindowSpec spec, Window window) throws SQLException {
    for (int i = 0; i < q.names().size(); i++) {
      if (!window.bounded()) {
        throw new ConfigException("query uses :" + q.names().get(i) + " but window " + window.id() + " has no bounds (use day or hour windows)");
      }
      Instant at = q.names().get(i).equals("window_start") ? window.start() : window.end();
      DataType.Kind kind = spec.timeBased() ? windowColumn(spec).type().kind() : DataType.Kind.TIMESTAMPTZ;
      switch (kind) {
        case DATE -> ps.setObject(i + 1, LocalDate.ofInstant(at, spec.zone()));
        case TIMESTAMP -> ps.setObject(i + 1, LocalDateTime.ofInstant(at, spec.zone()));
        default -> ps.setObject(i + 1, at.atOffset(ZoneOffset.UTC));
      }
    }
  }

  /** Result column of each declared column, by name (case-insensitive). */
  private int[] positions(ResultSetMetaData md) throws SQLException {
    int[] positions = new int[schema.size()];
    for (int c = 0; c < schema.size(); c++) {
      positions[c] = -1;
      for (int i = 1; i <= md.getColumnCount(); i++) {
        if (md.getColumnLabel(i).equalsIgnoreCase(schema.column(c).name())) {
          positions[c] = i;
        }
      }
      if (positions[c] < 0) {
        throw new ConfigException("source query does not return declared column " + schema.column(c).name());
      }
    }
    return positions;
  }

  static Object value(ResultSet rs, int i, DataType type) throws SQLException {
    Object v = switch (type.kind()) {
      case STRING, JSON -> rs.getString(i);
      case INTEGER -> rs.getObject(i, Long.class);
      case DECIMAL -> rs.getBigDecimal(i);
      case BOOLEAN -> rs.getObject(i, Boolean.class);
      case DATE -> rs.getObject(i, LocalDate.class);
      case TIMESTAMP -> rs.getObject(i, LocalDateTime.class);
      case TIMESTAMPTZ -> {
        OffsetDateTime o = rs.getObject(i, OffsetDateTime.class);
        yield o == null ? null : o.toInstant();
      }
    };
    if (v instanceof BigDecimal d && type.kind() == DataType.Kind.DECIMAL && d.scale() > type.scale()) {
      throw new DataException("value " + d.toPlainString() + " has more than " + type.scale() + " decimal places");
    }
    return v;
  }

  /** A hint only: DuckDB refuses to change read-only status on an open connection. */
  private static void readOnly(Connection c) {
    try {
      c.setReadOnly(true);
    } catch (SQLException notSupported) {
      // the query only reads; the hint lets PostgreSQL skip write bookkeeping where it can
    }
  }

  private final class Reader implements RecordReader {
    private final Connection connection;
    private final ResultSet rows;
    private final int[] positions;
    private final Window window;
    private long row;

    Reader(Connection connection, ResultSet rows, int[] positions, Window window) {
      this.connection = connection;
      this.rows = rows;
      this.positions = positions;
      this.window = window;
    }

    @Override
    public SourceRecord next() throws IOException {
      try {
        if (!rows.next()) {
          return null;
        }
        row++;
        Object[] values = new Object[positions.length];
        for (int c = 0; c < positions.length; c++) {
          try {
            values[c] = value(rows, positions[c], schema.column(c).type());
          } catch (DataException | SQLException e) {
            throw new DataException("window " + window.id() + " row " + row + ": column " + schema.column(c).name() + ": " + e.getMessage());
          }
        }
        return new SourceRecord(values, "query row " + row);
      } catch (SQLException e) {
        throw new IOException("source query for window " + window.id() + " at row " + row + ": " + e.getMessage(), e);
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
}
