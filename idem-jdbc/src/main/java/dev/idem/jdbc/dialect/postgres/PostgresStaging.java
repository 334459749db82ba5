package dev.idem.jdbc.dialect.postgres;

import dev.idem.jdbc.SqlName;
import dev.idem.jdbc.dialect.DirectLoad;
import dev.idem.jdbc.dialect.Staging;
import dev.idem.pipeline.Pipeline;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * PostgreSQL's bulk path: a temporary table dropped at commit, filled by COPY (pgjdbc's
 * CopyManager) inside the window's transaction.
 */
final class PostgresStaging implements Staging {
  private final Function<DataType, String> sqlType;

  PostgresStaging(Function<DataType, String> sqlType) {
    this.sqlType = sqlType;
  }

  @Override
  public Stager stage(Connection connection, Schema columns) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(Staging.stagingTable(columns, sqlType, " ON COMMIT DROP"));
    }
    return restage(connection, columns);
  }

  @Override
  public Stager restage(Connection connection, Schema columns) throws SQLException {
    CopyIn copy =
        connection
            .unwrap(PGConnection.class)
            .getCopyAPI()
            .copyIn("COPY " + SqlName.quote(Pipeline.STAGED) + " FROM STDIN WITH (FORMAT csv)");
    return new CopyStager(copy);
  }

  /** COPY straight into the target under a savepoint ({@link DirectCopy}). */
  @Override
  public Optional<DirectLoad> direct(DirectLoad.Plan plan) {
    return Optional.of(new DirectCopy(plan, DirectCopy.HELD_CHARS));
  }

  /** PostgreSQL never analyzes temporary tables by itself (autovacuum cannot see them). */
  @Override
  public void analyze(Connection connection, String temporaryTable) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("ANALYZE " + SqlName.quote(temporaryTable));
    }
  }
}
