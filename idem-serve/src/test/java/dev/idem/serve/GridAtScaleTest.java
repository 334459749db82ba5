package dev.idem.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grid of a pipeline with 10,000 day windows (about 27 years), measured end to end over HTTP:
 * open the DuckDB file read-only, read the ledger, lay out and render the page. Prints the times;
 * asserts only what the page holds (no timed assertion). {@code -Didem.serve.windows=N} changes the
 * count.
 */
class GridAtScaleTest {
  @TempDir Path dir;

  @Test
  void tenThousandWindowsRenderInOnePage() throws Exception {
    int windows = Integer.getInteger("idem.serve.windows", 10_000);
    Path file = Orders.load(dir);
    try (Connection c = DriverManager.getConnection(Orders.url(file));
        Statement st = c.createStatement()) {
      st.execute("DELETE FROM _idem.windows");
      st.execute(
          "INSERT INTO _idem.windows (pipeline, window_id, status, fingerprint, rows_read,"
              + " rows_inserted, target_rows, attempts, started_at, finished_at)"
              + " SELECT 'orders', strftime(DATE '1990-01-01' + CAST(i AS INTEGER), '%Y-%m-%d'),"
              + " CASE WHEN i % 97 = 0 THEN 'FAILED' ELSE 'DONE' END, 'rows:3:' || i, 3, 3, 3, 1,"
              + " TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 00:00:01'"
              + " FROM range("
              + windows
              + ") t(i)");
    }
    try (WebServer server =
        new WebServer(List.of(Orders.served(file)), ServeTest.settings(ServeSettings.RawInput.SHOW))
            .start()) {
      List<Long> millis = new ArrayList<>();
      Http page = null;
      for (int i = 0; i < 6; i++) {
        long start = System.nanoTime();
        page = Http.get(server.port(), "/pipelines/orders");
        millis.add((System.nanoTime() - start) / 1_000_000);
      }
      assertThat(page.status()).isEqualTo(200);
      // done cells, outlined or not: the fake fingerprints all read as changed input
      assertThat(page.body().split("<a class=\"cell s-done", -1).length - 1)
          .isEqualTo(windows - (windows + 96) / 97);
      assertThat(page.body()).contains("title=\"1990-01-01: failed\"");
      // the same work in two parts: reading the ledger, then laying out and rendering the grid
      long readNanos = Long.MAX_VALUE;
      long renderNanos = Long.MAX_VALUE;
      Pages pages = new Pages(ServeTest.settings(ServeSettings.RawInput.SHOW));
      for (int i = 0; i < 3; i++) {
        long t0 = System.nanoTime();
        Inspection.View view = Inspection.read(Orders.served(file), Orders.services());
        long t1 = System.nanoTime();
        pages.pipeline(view, InputCheck.Outcome.NONE);
        long t2 = System.nanoTime();
        readNanos = Math.min(readNanos, t1 - t0);
        renderNanos = Math.min(renderNanos, t2 - t1);
      }
      System.out.printf(
          "idem serve grid of %d windows: ledger read %d ms, layout and HTML %d ms (best of 3)%n",
          windows, readNanos / 1_000_000, renderNanos / 1_000_000);
      long first = millis.get(0);
      List<Long> warm = new ArrayList<>(millis.subList(1, millis.size()));
      Collections.sort(warm);
      System.out.printf(
          "idem serve grid of %d windows: first request %d ms, then median %d ms (of %d), page %d kB%n",
          windows, first, warm.get(warm.size() / 2), warm.size(), page.body().length() / 1024);
    }
  }
}
