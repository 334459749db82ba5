package dev.idem.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.run.RunReport;
import dev.idem.run.WindowOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaApiExampleTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theReadmeExampleLoadsTheOrdersOnceAndThenFindsEveryWindowUnchanged(@TempDir Path tmp)
      throws Exception {
    Path data = ROOT.resolve("examples/orders/data");
    Path db = tmp.resolve("api.duckdb");
    RunReport first = JavaApiExample.loadOrders(data, db);
    assertThat(first.outcomes())
        .hasSize(5)
        .extracting(WindowOutcome::result)
        .containsOnly(WindowOutcome.Result.LOADED);
    RunReport second = JavaApiExample.loadOrders(data, db);
    assertThat(second.outcomes())
        .extracting(WindowOutcome::result)
        .containsOnly(WindowOutcome.Result.UNCHANGED);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*), count(DISTINCT order_id), count(*) FILTER (WHERE status <> upper(status)) FROM orders")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(rs.getLong(2)).isPositive();
      assertThat(rs.getLong(3)).isZero();
    }
  }

  @Test
  void theReadmeShowsExactlyTheCompiledExample() throws Exception {
    String source =
        Files.readString(
            ROOT.resolve("idem-cli/src/test/java/dev/idem/examples/JavaApiExample.java"));
    String snippet =
        source.substring(
            source.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(),
            source.indexOf("  // README-END"));
    String readme = Files.readString(ROOT.resolve("docs/java-api.md"));
    assertThat(readme).contains(snippet.stripTrailing().stripIndent());
  }
}
