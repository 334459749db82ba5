package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.rest.RESTCatalogAdapter;
import org.apache.iceberg.rest.RESTCatalogServlet;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cases of {@link IcebergFenceTest} through a REST catalog: Iceberg's own REST catalog servlet
 * (RESTCatalogAdapter and RESTCatalogServlet, from iceberg-core's test jar; Iceberg's
 * RESTCatalogServer serves the same pair with Jetty), backed by a JDBC catalog on an SQLite file,
 * on a loopback port of this process. The destination is given only the catalog's URI: the server
 * chooses where the tables live.
 */
class IcebergRestCatalogTest extends IcebergFenceTest {
  private Catalog backend;
  private Server server;
  private String uri;

  @BeforeEach
  void startCatalogServer() throws Exception {
    backend = IcebergSettings.local(dir.resolve("served-warehouse"), "idem").open();
    server = new Server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.addServlet(
        new ServletHolder(new RESTCatalogServlet(new RESTCatalogAdapter(backend))), "/*");
    server.setHandler(context);
    server.start();
    uri = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  @AfterEach
  void stopCatalogServer() throws Exception {
    server.stop();
    IcebergSettings.close(backend);
  }

  @Override
  IcebergSettings settings() {
    return new IcebergSettings("", "rest", uri, "idem", Map.of());
  }

  /** Two rounds: each commit is a few HTTP requests, and one round already races two commits. */
  @Override
  int rounds() {
    return 2;
  }

  /** Not repeated on the REST catalog: snapshot isolation is the catalog's metadata swap. */
  @Override
  void aReaderDuringTwentyWindowReplacesSeesOnlyWholeSnapshots() {}

  @Test
  void theTableIsWhereTheServerPutItAndEveryLedgerChangeMovedTheFenceBranch() throws Exception {
    Pipeline p = pipeline(WriteStrategy.MERGE, 4, 2);
    try (IcebergDestination d = open("rest")) {
      assertThat(run(d, p, "r1").ok()).isTrue();
    }
    Table served = backend.loadTable(TableIdentifier.of("idem", "fenced"));
    assertThat(served.location())
        .startsWith(dir.resolve("served-warehouse").toAbsolutePath().toString());
    assertThat(served.properties().get(LedgerStore.POINTER)).contains("/_idem_ledger/fenced/");
    // two windows, each claimed and committed: main has the two data commits, and the fence
    // branch one empty snapshot per change of the ledger
    assertThat(served.refs()).containsKeys("main", LedgerStore.FENCE_REF);
    assertThat(served.snapshot(LedgerStore.FENCE_REF).addedDataFiles(served.io())).isEmpty();
    assertThat(settings().describe()).isEqualTo("iceberg rest catalog " + uri);
  }
}
