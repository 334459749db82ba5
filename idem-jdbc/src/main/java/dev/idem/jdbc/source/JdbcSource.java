package dev.idem.jdbc.source;

import dev.idem.ConfigException;
import dev.idem.DataException;
import dev.idem.connector.Secrets;
import dev.idem.jdbc.Jdbc;
import dev.idem.jdbc.SqlName;
import dev.idem.jdbc.dialect.Dialects;
import dev.idem.jdbc.dialect.SourceDialect;
import dev.idem.key.KeyEncoding;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.source.Dataset;
import dev.idem.source.ObservesSchema;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
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
import java.util.Locale;
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
 *
 * <p>Read observing the schema, the query's result metadata is the window's observed schema: a
 * declared column the result lacks reads as null, a result column whose type the declared type
 * cannot hold exactly is retyped (its values are then read as text and parsed strictly, so a value
 * that does not fit fails the window instead of being narrowed by the driver), and other result
 * columns are added columns, typed by their SQL type (string for a type idem has none for).
 */
public final class JdbcSource implements Source, ObservesSchema {
  private final String url;
  private final Properties properties;

  /** How this database is read: connections and the idem types of result columns. */
  private final SourceDialect dialect;

  private final NamedParameters query;
  private final String queryText;
  private final Schema schema;
  private final Optional<NamedParameters> fingerprintQuery;
  private final Duration lag;
  private final int fetchSize;
  private final Clock clock;

  public JdbcSource(
      String jdbcUrl,
      Properties properties,
      String query,
      Schema schema,
      Optional<String> fingerprintQuery,
      Duration lag,
      int fetchSize) {
    this(jdbcUrl, properties, query, schema, fingerprintQuery, lag, fetchSize, Clock.systemUTC());
  }

  /** With the clock that decides which windows are complete (tests pass a fixed one). */
  public JdbcSource(
      String jdbcUrl,
      Properties properties,
      String query,
      Schema schema,
      Optional<String> fingerprintQuery,
      Duration lag,
      int fetchSize,
      Clock clock) {
    this.url = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    this.dialect = Dialects.forSource(jdbcUrl);
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
    for (NamedParameters q :
        fingerprintQuery.isPresent()
            ? List.of(this.query, this.fingerprintQuery.get())
            : List.of(this.query)) {
      for (String name : q.names()) {
        if (!name.equals("window_start") && !name.equals("window_end")) {
          throw new ConfigException(
              "query parameter :" + name + " is unknown: expected :window_start and :window_end");
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
    String bounds =
        "SELECT min(q."
            + SqlName.quote(spec.column())
            + "), max(q."
            + SqlName.quote(spec.column())
            + ") FROM ("
            + query.sql()
            + ") AS q";
    Window all = new Window("all", spec.kind(), Instant.EPOCH, completeUntil);
    try (Connection c = dialect.connectToRead(url, properties);
        PreparedStatement ps = c.prepareStatement(bounds)) {
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
    return reader(spec, window, null);
  }

  @Override
  public RecordReader read(WindowSpec spec, Window window, ObservedSchema observed)
      throws IOException {
    return reader(spec, window, Objects.requireNonNull(observed, "observed"));
  }

  private RecordReader reader(WindowSpec spec, Window window, ObservedSchema observed)
      throws IOException {
    checkComplete(window);
    Connection c = null;
    try {
      c = dialect.connectToRead(url, properties);
      c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
      readOnly(c);
      PreparedStatement ps =
          c.prepareStatement(query.sql(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
      ps.setFetchSize(fetchSize);
      bind(ps, query, spec, window);
      ResultSet rs = ps.executeQuery();
      Columns columns =
          observed == null
              ? new Columns(positions(rs.getMetaData()), new boolean[schema.size()], new int[0])
              : observe(rs.getMetaData(), observed);
      return new QueryReader(c, rs, columns, window, observed, schema, dialect);
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
    checkComplete(window);
    try (Connection c = dialect.connectToRead(url, properties);
        PreparedStatement ps = c.prepareStatement(fingerprintQuery.get().sql())) {
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
      throw new IOException(
          "fingerprint query for window " + window.id() + ": " + e.getMessage(), e);
    }
  }

  /** The query, in the namespace of its database's URL (credentials masked). */
  @Override
  public Dataset dataset() {
    return new Dataset(Secrets.describeUrl(url), queryText.strip());
  }

  @Override
  public String describe() {
    return "jdbc query "
        + queryText
        + " fingerprint "
        + fingerprintQuery.map(NamedParameters::sql).orElse("-")
        + " lag "
        + lag;
  }

  private void checkComplete(Window window) {
    if (window.bounded() && window.end().isAfter(clock.instant().minus(lag))) {
      throw new DataException(
          "window "
              + window.id()
              + " is not complete yet: it ends at "
              + window.end()
              + " and the source's lag is "
              + lag);
    }
  }

  private Column windowColumn(WindowSpec spec) {
    return schema
        .find(spec.column())
        .orElseThrow(
            () ->
                new ConfigException(
                    "window column " + spec.column() + " is not a declared column"));
  }

  /** Binds :window_start/:window_end typed like the window column. */
  private void bind(PreparedStatement ps, NamedParameters q, WindowSpec spec, Window window)
      throws SQLException {
    for (int i = 0; i < q.names().size(); i++) {
      if (!window.bounded()) {
        throw new ConfigException(
            "query uses :"
                + q.names().get(i)
                + " but window "
                + window.id()
                + " has no bounds (use day or hour windows)");
      }
      Instant at = q.names().get(i).equals("window_start") ? window.start() : window.end();
      DataType.Kind kind =
          spec.timeBased() ? windowColumn(spec).type().kind() : DataType.Kind.TIMESTAMPTZ;
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
        throw new ConfigException(
            "source query does not return declared column " + schema.column(c).name());
      }
    }
    return positions;
  }

  /**
   * Where the reader finds each declared column ({@code positions}, -1 when the result lacks it),
   * which are read as text and parsed strictly ({@code asText}: retyped), and the result column of
   * each added column (by its number in the observation).
   */
  @SuppressWarnings("ArrayRecordComponent") // a private carrier, never compared or hashed
  record Columns(int[] positions, boolean[] asText, int[] added) {}

  private static final String RESULT = "query result";

  /** Reports the result's columns into {@code observed}: present, missing, retyped, added. */
  private Columns observe(ResultSetMetaData md, ObservedSchema observed) throws SQLException {
    observed.unit();
    int[] positions = new int[schema.size()];
    boolean[] asText = new boolean[schema.size()];
    boolean[] declared = new boolean[md.getColumnCount() + 1];
    for (int c = 0; c < schema.size(); c++) {
      positions[c] = -1;
      for (int i = 1; i <= md.getColumnCount(); i++) {
        if (md.getColumnLabel(i).equalsIgnoreCase(schema.column(c).name())) {
          positions[c] = i;
          declared[i] = true;
        }
      }
      if (positions[c] < 0) {
        observed.missing(c, RESULT);
        continue;
      }
      observed.present(c);
      DataType seen = sqlType(md, positions[c]);
      if (!holds(schema.column(c).type(), seen, md, positions[c])) {
        observed.retyped(
            schema.column(c).name(),
            seen == null
                ? md.getColumnTypeName(positions[c]).toLowerCase(Locale.ROOT)
                : seen.toString(),
            RESULT);
        asText[c] = true;
      }
    }
    List<Integer> added = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      if (!declared[i]) {
        int k = observed.add(md.getColumnLabel(i), RESULT);
        DataType seen = sqlType(md, i);
        observed.type(k, seen == null ? DataType.STRING : seen);
        while (added.size() <= k) {
          added.add(-1);
        }
        added.set(k, i);
      }
    }
    return new Columns(positions, asText, added.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * The idem type of a result column as the dialect reads it, or null for a type idem has none for.
   */
  private DataType sqlType(ResultSetMetaData md, int i) throws SQLException {
    return dialect.resultType(md, i).orElse(null);
  }

  /**
   * True when every value of a result column of type {@code seen} is a value of {@code declared}.
   */
  private static boolean holds(DataType declared, DataType seen, ResultSetMetaData md, int i)
      throws SQLException {
    if (declared.kind() == DataType.Kind.STRING) {
      return true; // the text of any value
    }
    if (seen == null) {
      return false;
    }
    return switch (declared.kind()) {
      case JSON -> seen.kind() == DataType.Kind.JSON || seen.kind() == DataType.Kind.STRING;
      case INTEGER ->
          seen.kind() == DataType.Kind.INTEGER
              || (seen.kind() == DataType.Kind.DECIMAL
                  && seen.scale() == 0
                  && seen.precision() <= 18);
      case DECIMAL -> {
        if (seen.kind() == DataType.Kind.INTEGER) {
          int digits = md.getPrecision(i) > 0 ? md.getPrecision(i) : 19;
          yield digits <= declared.precision() - declared.scale();
        }
        boolean unconstrained = md.getPrecision(i) < 1 || md.getPrecision(i) > 38;
        yield seen.kind() == DataType.Kind.DECIMAL
            && (unconstrained
                || (seen.scale() <= declared.scale()
                    && seen.precision() - seen.scale() <= declared.precision() - declared.scale()));
      }
      default -> seen.kind() == declared.kind();
    };
  }

  static Object value(ResultSet rs, int i, DataType type) throws SQLException {
    Object v =
        switch (type.kind()) {
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
    if (v instanceof BigDecimal d
        && type.kind() == DataType.Kind.DECIMAL
        && d.scale() > type.scale()) {
      throw new DataException(
          "value " + d.toPlainString() + " has more than " + type.scale() + " decimal places");
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
}
