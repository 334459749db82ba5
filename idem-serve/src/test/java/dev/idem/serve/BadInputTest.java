package dev.idem.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.connector.JdbcDestinationBinding;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees when a destination cannot be read: one line on the page, never a stack trace,
 * and the destination left exactly as it was.
 */
class BadInputTest {
  @TempDir Path dir;

  private static ServedPipeline at(String url, Path file) {
    return ServedPipeline.of(
        "orders.yaml",
        Orders.pipeline(Orders.source("x")),
        new JdbcDestinationBinding(url, new Properties(), file));
  }

  private static String overview(ServedPipeline p) throws Exception {
    try (WebServer s =
        new WebServer(List.of(p), ServeTest.settings(ServeSettings.RawInput.SHOW)).start()) {
      Http page = Http.get(s.port(), "/");
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.body()).doesNotContain("Exception", "\tat ");
      Http grid = Http.get(s.port(), "/pipelines/orders");
      assertThat(grid.status()).isEqualTo(200);
      assertThat(grid.body()).doesNotContain("\tat ");
      return page.body();
    }
  }

  @Test
  void aMissingDuckDbFileIsNeverCreated() throws Exception {
    Path file = dir.resolve("none.duckdb");
    assertThat(overview(at(Orders.url(file), file))).contains("never run: nothing there yet");
    assertThat(file).doesNotExist();
  }

  @Test
  void aFileARunHoldsIsAMessageNamingTheHolder() throws Exception {
    Path file = Orders.load(dir);
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HoldDuckDb.class.getName(),
                file.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("held");
      assertThat(overview(Orders.served(file))).contains("is held by").contains("PID");
    } finally {
      holder.getOutputStream().close();
      holder.waitFor();
    }
  }

  @Test
  void aLedgerOfAnOlderVersionIsNotMigrated() throws Exception {
    Path file = dir.resolve("old.duckdb");
    try (Connection c = DriverManager.getConnection(Orders.url(file));
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA _idem");
      st.execute("CREATE TABLE _idem.meta (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
      st.execute("INSERT INTO _idem.meta VALUES ('schema_version', '3')");
    }
    assertThat(overview(at(Orders.url(file), file)))
        .contains("has schema version 3, older than this idem&#39;s")
        .contains("the next run migrates it");
    try (Connection c = DriverManager.getConnection(Orders.url(file));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT value FROM _idem.meta")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("3");
    }
  }

  @Test
  void aPostgresqlThatIsDownIsAMessageWithoutItsPassword() throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:1/dw?user=idem&password=hunter2";
    String page = overview(at(url, null));
    assertThat(page)
        .contains("cannot open jdbc:postgresql://127.0.0.1:1/dw")
        .doesNotContain("hunter2");
  }

  @Test
  void browsingLeavesTheFileFreeForAWriter() throws Exception {
    Path file = Orders.load(dir);
    try (WebServer s =
        new WebServer(List.of(Orders.served(file)), ServeTest.settings(ServeSettings.RawInput.SHOW))
            .start()) {
      for (String path :
          List.of(
              "/",
              "/pipelines/orders",
              "/pipelines/orders/window?id=2024-03-05",
              "/pipelines/orders/check")) {
        assertThat(Http.get(s.port(), path).status()).isEqualTo(200);
        // the page holds nothing between requests: a writer opens the file without waiting
        try (JdbcDestination d =
            JdbcDestination.open(
                Orders.url(file), new Properties(), Orders.services(), Duration.ZERO)) {
          assertThat(d.ledger().states("orders")).hasSize(5);
        }
      }
    }
    assertThat(Files.exists(file)).isTrue();
  }
}
