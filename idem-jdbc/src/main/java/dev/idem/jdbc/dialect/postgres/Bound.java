package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;

/** Statements with their bind values. */
final class Bound {
  private Bound() {}

  /** {@code statement} prepared with every {@code ?} bound to {@code window}. */
  static PreparedStatement toWindow(Connection connection, String statement, String window)
      throws SQLException {
    return to(connection, statement, Collections.nCopies(Jdbc.placeholders(statement), window));
  }

  /** {@code statement} prepared with its {@code ?}s bound to {@code values}, in order. */
  static PreparedStatement to(Connection connection, String statement, List<String> values)
      throws SQLException {
    PreparedStatement ps = connection.prepareStatement(statement);
    try {
      for (int i = 0; i < values.size(); i++) {
        ps.setString(i + 1, values.get(i));
      }
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }
}
