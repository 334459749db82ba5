package dev.idem.serve;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** A second process that holds a DuckDB file for writing until its standard input closes. */
public final class HoldDuckDb {
  private HoldDuckDb() {}

  public static void main(String[] args) throws SQLException, IOException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + args[0])) {
      System.out.println("held");
      System.out.flush();
      while (System.in.read() >= 0) {
        // until the test closes our input
      }
    }
  }
}
