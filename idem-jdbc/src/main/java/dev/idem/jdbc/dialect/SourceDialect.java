package dev.idem.jdbc.dialect;

import dev.idem.schema.DataType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * What reading a query from a database needs: a connection and the idem type of each result column.
 * Every {@link Dialect} is one; a database idem writes to no dialect for is read through {@link
 * #ANY}, the driver's own connection and the standard JDBC types.
 */
public interface SourceDialect {
  /** Any JDBC database: the driver's connection, the standard types. */
  SourceDialect ANY = new SourceDialect() {};

  /** A connection for reading a source query: the driver's own, waiting for nothing. */
  default Connection connectToRead(String jdbcUrl, Properties properties) throws SQLException {
    return DriverManager.getConnection(jdbcUrl, properties);
  }

  /**
   * The idem type of a result column, or empty for a type idem has none for (floating point, uuid,
   * arrays...). An unconstrained numeric is {@code decimal} (decimal(38,9)).
   */
  default Optional<DataType> resultType(ResultSetMetaData md, int i) throws SQLException {
    String name = String.valueOf(md.getColumnTypeName(i)).toLowerCase(Locale.ROOT);
    return Optional.ofNullable(
        switch (md.getColumnType(i)) {
          case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> DataType.INTEGER;
          case Types.NUMERIC, Types.DECIMAL -> {
            int p = md.getPrecision(i);
            int s = md.getScale(i);
            yield p < 1 || p > 38 || s < 0 || s > p
                ? DataType.decimal(38, 9)
                : DataType.decimal(p, s);
          }
          case Types.BOOLEAN, Types.BIT -> DataType.BOOLEAN;
          case Types.DATE -> DataType.DATE;
          case Types.TIMESTAMP ->
              name.contains("tz") || name.contains("time zone")
                  ? DataType.TIMESTAMPTZ
                  : DataType.TIMESTAMP;
          case Types.TIMESTAMP_WITH_TIMEZONE -> DataType.TIMESTAMPTZ;
          case Types.CHAR,
              Types.VARCHAR,
              Types.LONGVARCHAR,
              Types.NCHAR,
              Types.NVARCHAR,
              Types.LONGNVARCHAR,
              Types.CLOB ->
              DataType.STRING;
          default -> name.equals("json") || name.equals("jsonb") ? DataType.JSON : null;
        });
  }
}
