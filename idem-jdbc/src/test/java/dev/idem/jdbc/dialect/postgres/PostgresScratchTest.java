package dev.idem.jdbc.dialect.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.jdbc.TableSnapshot;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The scratch database of {@code idem verify} on a real PostgreSQL 17, beside a destination whose
 * URL has no {@code ?parameters} (the user given as a property): it is created on the same server,
 * loads, and is dropped on close. Such a URL used to give the scratch URL {@code
 * .../idem_verify_...null}.
 */
class PostgresScratchTest {
  private static final Schema ROWS =
      Schema.of(Column.of("id", DataType.INTEGER), Column.of("name", DataType.STRING));

  @Test
  void aScratchBesideAUrlWithoutParametersLoadsAndIsDropped() throws Exception {
    String withUser = EmbeddedPostgresServer.newDatabase();
    String bare = withUser.substring(0, withUser.indexOf('?'));
    assertThat(bare).matches("jdbc:postgresql://localhost:\\d+/idem_\\d+");
    Properties user = new Properties();
    user.setProperty("user", "postgres");
    Pipeline p =
        Pipeline.builder("rows")
            .source(new ListSource(ROWS).add(1L, "a").add(2L, "b"))
            .windows(WindowSpec.full())
            .table("rows")
            .key("id")
            .strategy(WriteStrategy.MERGE)
            .build();

    String scratch;
    try (JdbcDestination d = JdbcDestination.scratch(bare, user, RunServices.defaults())) {
      String server = bare.substring(0, bare.lastIndexOf('/') + 1);
      assertThat(d.describe())
          .startsWith(server + "idem_verify_")
          .matches("jdbc:postgresql://localhost:\\d+/idem_verify_\\d+_[0-9a-f]+");
      scratch = d.describe().substring(server.length());
      assertThat(
              new Runner(d, RunServices.defaults())
                  .run(p, List.of(Window.full()), RunOptions.defaults("scratch"))
                  .ok())
          .isTrue();
      assertThat(TableSnapshot.rows(d, "rows"))
          .hasSize(2)
          .anySatisfy(r -> assertThat(r).contains("id=1|name=a"))
          .anySatisfy(r -> assertThat(r).contains("id=2|name=b"));
      assertThat(databases(withUser)).contains(scratch);
    }
    assertThat(databases(withUser)).doesNotContain(scratch);
    // the destination's own database was never written
    try (Connection c = DriverManager.getConnection(withUser);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'rows'")) {
      rs.next();
      assertThat(rs.getLong(1)).isZero();
    }
  }

  private static List<String> databases(String url) throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT datname FROM pg_database WHERE datname LIKE 'idem\\_verify\\_%'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
