package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Statements whose every {@code ?} is the window id. */
final class Bound {
  private Bound() {}

  /** {@code statement} prepared with every {@code ?} bound to {@code window}. */
  static PreparedStatement toWindow(Connection connection, String statement, String window)
      throws SQLException {
    PreparedStatement ps = connection.prepareStatement(statement);
    try {
      for (int i = 1, n = Jdbc.placeholders(statement); i <= n; i++) {
        ps.setString(i, window);
      }
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }
}
