package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fence cases of {@link IcebergFenceTest} (two runners of one window: exactly one lands; two
 * windows committed at once both land) with Iceberg's JDBC catalog on PostgreSQL (idem-testkit's
 * embedded server) instead of the embedded SQLite file; a run repeated is once, and replace_window
 * replaces exactly the changed window.
 */
class IcebergPostgresCatalogTest extends IcebergFenceTest {
  private String url;

  @Override
  IcebergSettings settings() {
    if (url == null) {
      url = EmbeddedPostgresServer.newDatabase();
    }
    return new IcebergSettings(
        dir.resolve("warehouse").toAbsolutePath().toString(), "jdbc", url, "idem", Map.of());
  }

  /**
   * Not repeated on PostgreSQL: snapshot isolation is Iceberg's metadata swap, the same on every
   * catalog, and the twenty replaces cost the module's test time.
   */
  @Override
  void aReaderDuringTwentyWindowReplacesSeesOnlyWholeSnapshots() {}

  @Test
  void theCatalogIsOnPostgres() {
    assertThat(settings().describe()).startsWith("iceberg jdbc catalog jdbc:postgresql://");
  }
}
