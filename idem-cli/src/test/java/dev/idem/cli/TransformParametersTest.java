package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SQL transforms see the window through {@code :window_start}, {@code :window_end} and {@code
 * :logical_date}, rendered as typed literals on DuckDB and PostgreSQL alike; an unknown parameter
 * is refused before anything runs, naming the pipeline file's line.
 */
class TransformParametersTest {
  @TempDir Path dir;

  /**
   * Day windows by {@code ingested_at}; the transform keeps the rows shipped within their window
   * ({@code shipped_at} in {@code [window_start, window_end)}) and stamps the logical date.
   */
  private static final String TRANSFORM =
      String.join(
          "\n",
          "transform:",
          "  sql: |",
          "    SELECT id, shipped_at, :logical_date AS run_day, ':window_start' AS note",
          "    FROM staged -- :not_a_parameter in a comment",
          "    WHERE shipped_at >= :window_start AND shipped_at < :window_end",
          "      AND id::integer > 0");

  @ParameterizedTest
  @ValueSource(strings = {"duckdb", "postgres"})
  void aTransformFilteringOnTheWindowBoundsLoadsTheWindowsRows(String kind) throws Exception {
    String url =
        kind.equals("duckdb")
            ? "jdbc:duckdb:" + dir.resolve("t.duckdb")
            : EmbeddedPostgresServer.newDatabase();
    Path p = pipeline(url, TRANSFORM, "timestamptz", "UTC");

    Cli.Result first = Cli.run("run", p.toString(), "--logical-date", "2024-05-01T00:00:00+00:00");
    assertThat(first.exit()).as(first.out() + first.err()).isZero();
    assertThat(rows(url)).containsExactly("1 2024-05-01", "4 2024-05-01");

    // without --logical-date, :logical_date is the date the window starts on
    Cli.Result rest = Cli.run("run", p.toString());
    assertThat(rest.exit()).as(rest.out() + rest.err()).isZero();
    assertThat(rows(url)).containsExactly("1 2024-05-01", "4 2024-05-01", "6 2024-05-02");
  }

  @Test
  void theBoundsAreTypedLikeTheWindowColumn() throws Exception {
    // zone-less columns: the bounds are the window's local times in its zone (00:00 to 00:00 in
    // Kolkata), not its UTC instants (18:30 to 18:30), which would keep row 3 and drop row 4
    String url = "jdbc:duckdb:" + dir.resolve("local.duckdb");
    Path p = pipeline(url, TRANSFORM, "timestamp", "Asia/Kolkata");
    Cli.Result r = Cli.run("run", p.toString(), "--window", "2024-05-01");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(rows(url)).containsExactly("1 2024-05-01", "4 2024-05-01");
  }

  @Test
  void anUnknownParameterIsOneLineNamingTheFileAndLine() throws Exception {
    String transform =
        String.join(
            "\n",
            "transform:",
            "  sql: |",
            "    SELECT id, shipped_at, :logical_date AS run_day",
            "    FROM staged",
            "    WHERE shipped_at >= :window_begin");
    Path p = pipeline("jdbc:duckdb:" + dir.resolve("u.duckdb"), transform, "timestamptz", "UTC");
    int line = Files.readAllLines(p).indexOf("    WHERE shipped_at >= :window_begin") + 1;

    Cli.Result r = Cli.run("check", p.toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err())
        .isEqualTo(
            "idem: "
                + p
                + ":"
                + line
                + ": transform.sql: unknown parameter :window_begin, expected one of :logical_date,"
                + " :window_start, :window_end (write :: for a cast)\n");
    assertThat(Files.exists(dir.resolve("u.duckdb"))).isFalse();
  }

  /** Rows 1 and 4 are shipped within their window 2024-05-01, row 6 within 2024-05-02. */
  private Path pipeline(String url, String transform, String type, String zone) throws IOException {
    boolean zoned = type.equals("timestamptz");
    String z = zoned ? "Z" : "";
    Files.writeString(
        dir.resolve("in.csv"),
        String.join(
            "\n",
            "id,ingested_at,shipped_at",
            "1,2024-05-01 09:00:00" + z + ",2024-05-01 10:00:00" + z,
            "2,2024-05-01 09:00:00" + z + ",2024-05-02 01:00:00" + z,
            "3,2024-05-01 09:00:00" + z + ",2024-04-30 23:59:59" + z,
            "4,2024-05-01 09:00:00" + z + ",2024-05-01 23:59:59.999" + z,
            "5,2024-05-01 09:00:00" + z + ",2024-05-02 00:00:00" + z,
            "6,2024-05-02 09:00:00" + z + ",2024-05-02 00:00:00" + z,
            ""));
    Path p = dir.resolve("pipeline.yaml");
    Files.writeString(
        p,
        String.join(
            "\n",
            "pipeline: shipped",
            "source:",
            "  type: csv",
            "  path: in.csv",
            "columns:",
            "  id: integer",
            "  ingested_at: " + type,
            "  shipped_at: " + type,
            "windows:",
            "  kind: day",
            "  column: ingested_at",
            "  zone: " + zone,
            transform,
            "target:",
            "  table: shipped",
            "  columns:",
            "    id: integer",
            "    shipped_at: " + type,
            "    run_day: date",
            "  key: [id]",
            "  strategy: merge",
            "destination:",
            "  url: '" + url + "'",
            ""));
    return p;
  }

  private static List<String> rows(String url) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT id, CAST(run_day AS VARCHAR) FROM shipped ORDER BY id")) {
      while (rs.next()) {
        rows.add(rs.getLong(1) + " " + rs.getString(2));
      }
    }
    return rows;
  }
}
