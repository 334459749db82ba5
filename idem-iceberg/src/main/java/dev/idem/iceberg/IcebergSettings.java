package dev.idem.iceberg;

import dev.idem.connector.Secrets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;

/**
 * Where an Iceberg destination's tables live: a warehouse (a directory by default) and a catalog.
 * The embedded default is Iceberg's JDBC catalog on an SQLite file in the warehouse, which many
 * processes may commit to at once (each commit is a compare-and-swap of the table's metadata
 * location in one SQL row); {@code catalog: {type: jdbc, uri: jdbc:postgresql://...}} shares it on
 * PostgreSQL, {@code catalog: {type: rest, uri: https://...}} uses a REST catalog.
 *
 * @param warehouse the warehouse location: an absolute directory or a URI ({@code s3://bucket/path}
 *     for S3-compatible object storage, see {@link ObjectStorage}); empty for a REST catalog that
 *     chooses its tables' locations
 * @param catalogType {@code jdbc} or {@code rest}
 * @param catalogUri the catalog's URI; for the default, {@code jdbc:sqlite:<warehouse>/catalog.db}
 * @param namespace the namespace of the pipelines' tables
 * @param properties further catalog properties (a JDBC catalog's {@code jdbc.user}, ...)
 */
public record IcebergSettings(
    String warehouse,
    String catalogType,
    String catalogUri,
    String namespace,
    Map<String, String> properties) {
  public IcebergSettings {
    properties = Map.copyOf(properties);
  }

  /** The embedded default in {@code warehouse}: an SQLite JDBC catalog beside the tables. */
  public static IcebergSettings local(Path warehouse, String namespace) {
    Path abs = warehouse.toAbsolutePath().normalize();
    return new IcebergSettings(
        abs.toString(), "jdbc", "jdbc:sqlite:" + abs.resolve("catalog.db"), namespace, Map.of());
  }

  boolean embedded() {
    return catalogUri.startsWith("jdbc:sqlite:");
  }

  /** Opens the catalog. */
  Catalog open() {
    if (embedded()) {
      Path file = Path.of(catalogUri.substring("jdbc:sqlite:".length())).toAbsolutePath();
      Path directory = warehouse.contains("://") ? file.getParent() : Path.of(warehouse);
      try {
        java.nio.file.Files.createDirectories(directory);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("creating the warehouse " + directory, e);
      }
    }
    Map<String, String> p = new HashMap<>(properties);
    p.put(CatalogProperties.URI, catalogUri);
    if (!warehouse.isEmpty()) {
      // a REST catalog may choose the tables' locations itself: then no warehouse is given
      p.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    }
    ObjectStorage.defaults(p, warehouse);
    if ("jdbc".equals(catalogType)) {
      p.putIfAbsent("jdbc.schema-version", "V1");
      if (embedded()) {
        // several processes commit to one SQLite file: wait for its lock rather than fail, and
        // let readers (a catalog's metadata queries) never block a writer (write-ahead log)
        p.putIfAbsent("jdbc.busy_timeout", "30000");
        p.putIfAbsent("jdbc.journal_mode", "WAL");
      }
    }
    p.put(CatalogUtil.ICEBERG_CATALOG_TYPE, catalogType);
    if (embedded()) {
      // Creating the catalog's tables leaves a metadata query open on a pooled connection; on
      // SQLite that is a read transaction which keeps the connection from ever writing after
      // another process wrote (SQLITE_BUSY_SNAPSHOT). So the tables are created by a catalog
      // closed at once, and the one used never runs that query. Only a warehouse whose catalog
      // file lacks the tables pays for that first catalog.
      if (!catalogTablesExist()) {
        close(CatalogUtil.buildIcebergCatalog("idem-init", p, hadoop()));
      }
      p.put("jdbc.init-catalog-tables", "false");
    }
    return CatalogUtil.buildIcebergCatalog("idem", p, hadoop());
  }

  /**
   * Whether the embedded catalog's file already holds Iceberg's two catalog tables (a plain SQLite
   * query on a connection closed at once: no transaction is left open).
   */
  private boolean catalogTablesExist() {
    if (!java.nio.file.Files.exists(Path.of(catalogUri.substring("jdbc:sqlite:".length())))) {
      return false;
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(catalogUri);
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                    + " ('iceberg_tables', 'iceberg_namespace_properties')")) {
      return rs.next() && rs.getInt(1) == 2;
    } catch (java.sql.SQLException e) {
      return false; // let the catalog's own initialisation try, and report what fails
    }
  }

  /**
   * Hadoop's file system settings for the warehouse: a local directory is written without Hadoop's
   * {@code .crc} side files (Parquet and Iceberg's manifests carry their own checksums).
   */
  private static Configuration hadoop() {
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
    return conf;
  }

  static void close(Catalog catalog) {
    if (catalog instanceof java.io.Closeable c) {
      try {
        c.close();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("closing the iceberg catalog", e);
      }
    }
  }

  /** For messages: never a password. */
  String describe() {
    return Secrets.describeUrl(
        "iceberg "
            + catalogType
            + " catalog "
            + catalogUri
            + (warehouse.isEmpty() ? "" : ", warehouse " + warehouse));
  }

  static Map<String, String> strings(Properties p) {
    Map<String, String> out = new HashMap<>();
    p.forEach((k, v) -> out.put((String) k, (String) v));
    return out;
  }
}
