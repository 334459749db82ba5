package dev.idem.jdbc.write;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Gathers planner statistics on a freshly filled temporary table (the dialect's staging part does).
 */
@FunctionalInterface
public interface TableStatistics {
  void analyze(Connection connection, String temporaryTable) throws SQLException;
}
