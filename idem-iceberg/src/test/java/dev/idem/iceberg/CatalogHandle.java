package dev.idem.iceberg;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/** A catalog of a destination's settings, opened apart from it (another process's view). */
final class CatalogHandle implements AutoCloseable {
  private final Catalog catalog;

  CatalogHandle(IcebergSettings settings) {
    this.catalog = settings.open();
  }

  Table load(TableIdentifier id) {
    return catalog.loadTable(id);
  }

  Catalog catalog() {
    return catalog;
  }

  @Override
  public void close() {
    if (catalog instanceof Closeable c) {
      try {
        c.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
