package dev.idem.iceberg;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * A table of a local warehouse (the embedded catalog), read whole with Iceberg's generic reader:
 * one line per row, its columns in schema order but idem's bookkeeping columns other than {@code
 * _idem_window} (which say when and by which run a row was written), sorted.
 */
public final class TableContents {
  private TableContents() {}

  public static List<String> of(Path warehouse, String table) throws IOException {
    Catalog catalog = IcebergSettings.local(warehouse, "idem").open();
    try {
      Table t = catalog.loadTable(TableIdentifier.of("idem", table));
      List<String> rows = new ArrayList<>();
      try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
        for (Record r : it) {
          StringBuilder line = new StringBuilder();
          for (Types.NestedField f : t.schema().columns()) {
            if (f.name().startsWith("_idem_") && !f.name().equals("_idem_window")) {
              continue;
            }
            line.append(f.name()).append('=').append(r.getField(f.name())).append(' ');
          }
          rows.add(line.toString().trim());
        }
      }
      rows.sort(null);
      return rows;
    } finally {
      if (catalog instanceof Closeable c) {
        c.close();
      }
    }
  }

  /** The names of the data files any commit of the table's history added. */
  public static Set<String> committedFiles(Path warehouse, String table) throws IOException {
    Catalog catalog = IcebergSettings.local(warehouse, "idem").open();
    try {
      Table t = catalog.loadTable(TableIdentifier.of("idem", table));
      Set<String> names = new TreeSet<>();
      for (Snapshot s : t.snapshots()) {
        for (DataFile f : s.addedDataFiles(t.io())) {
          String location = f.location();
          names.add(location.substring(location.lastIndexOf('/') + 1));
        }
      }
      return names;
    } finally {
      if (catalog instanceof Closeable c) {
        c.close();
      }
    }
  }

  /**
   * How many snapshots of the table's history carry each window's data commit (the snapshot
   * property {@code idem.window} idem-iceberg sets on it): a window landed once has one.
   */
  public static Map<String, Integer> landings(Path warehouse, String table) throws IOException {
    Catalog catalog = IcebergSettings.local(warehouse, "idem").open();
    try {
      Map<String, Integer> landings = new TreeMap<>();
      for (Snapshot s : catalog.loadTable(TableIdentifier.of("idem", table)).snapshots()) {
        String window = s.summary().get("idem.window");
        if (window != null) {
          landings.merge(window, 1, Integer::sum);
        }
      }
      return landings;
    } finally {
      if (catalog instanceof Closeable c) {
        c.close();
      }
    }
  }
}
