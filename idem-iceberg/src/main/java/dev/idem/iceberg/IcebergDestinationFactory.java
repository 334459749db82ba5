package dev.idem.iceberg;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConfigSchema;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.DestinationBinding;
import dev.idem.connector.DestinationFactory;
import dev.idem.connector.Section;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code type: iceberg}: Apache Iceberg tables in a warehouse. Without a {@code catalog}, the
 * embedded default: a JDBC catalog on {@code <warehouse>/catalog.db} (SQLite), no server.
 */
public final class IcebergDestinationFactory implements DestinationFactory {
  static final List<String> KEYS = List.of("type", "warehouse", "namespace", "catalog", "s3");
  static final List<String> CATALOG_KEYS = List.of("type", "uri");

  @Override
  public String name() {
    return "iceberg";
  }

  @Override
  public String type() {
    return "iceberg";
  }

  @Override
  public Map<String, Object> schema() {
    return ConfigSchema.mapping(
        ConfigSchema.properties(
            "type",
            ConfigSchema.type(type()),
            "warehouse",
            ConfigSchema.string(
                "the warehouse: a directory (relative to the pipeline file) or a URI"),
            "namespace",
            ConfigSchema.string("the namespace of the tables (default: idem)"),
            "catalog",
            ConfigSchema.mapping(
                ConfigSchema.properties(
                    "type",
                    ConfigSchema.string("jdbc (default: SQLite in the warehouse) or rest"),
                    "uri",
                    ConfigSchema.string("the catalog's URI (jdbc:postgresql://..., https://...)")),
                List.of("type"),
                ConfigSchema.scalar("a catalog property (jdbc.user, jdbc.password, token, ...)")),
            "s3",
            ObjectStorage.schema()),
        List.of("type"),
        null);
  }

  @Override
  public boolean accepts(ConfigNode.Mapping section) {
    return true;
  }

  @Override
  public DestinationBinding bind(ConfigNode.Mapping node, ConnectorContext context) {
    Section s = Section.of("destination", node);
    s.checkKeys(KEYS);
    ConfigNode.Scalar w = s.optionalScalar("warehouse");
    String warehouse = w == null ? "warehouse" : w.value().strip();
    ConfigNode.Scalar ns = s.optionalScalar("namespace");
    String namespace = ns == null ? "idem" : ns.value().strip();
    boolean uri = warehouse.contains("://");
    String location = uri ? warehouse : context.resolve(warehouse).toString();
    Map<String, String> storage =
        s.has("s3") ? ObjectStorage.bind(s.get("s3"), context.secrets()) : Map.of();
    if (!s.has("catalog")) {
      if (uri) {
        throw s.problem(
            "warehouse",
            "a warehouse at a URI needs a catalog (catalog: {type: jdbc, uri: ...} or"
                + " {type: rest, uri: ...}); the embedded SQLite catalog is for a local directory");
      }
      IcebergSettings local = IcebergSettings.local(context.resolve(warehouse), namespace);
      return new IcebergDestinationBinding(
          new IcebergSettings(local.warehouse(), "jdbc", local.catalogUri(), namespace, storage));
    }
    Section c =
        Section.of("destination.catalog", Section.mapping(s.get("catalog"), "destination.catalog"));
    String type = c.requiredScalar("type").value().strip();
    if (!type.equals("jdbc") && !type.equals("rest")) {
      throw new ConfigProblem(
          c.get("type").where(),
          "destination.catalog.type: expected jdbc or rest, got '"
              + type
              + "' (the hadoop file-system catalog is not safe for concurrent writers)");
    }
    ConfigNode.Scalar u = c.optionalScalar("uri");
    String catalogUri;
    if (u != null) {
      catalogUri = u.value().strip();
    } else if (type.equals("jdbc") && !uri) {
      catalogUri = IcebergSettings.local(context.resolve(warehouse), namespace).catalogUri();
    } else {
      throw c.problem("uri", "destination.catalog.uri: a " + type + " catalog needs a uri");
    }
    context.secrets().addUrl(catalogUri);
    Map<String, String> props =
        new HashMap<>(IcebergSettings.strings(c.properties(CATALOG_KEYS, context.secrets())));
    props.putAll(storage);
    // a REST catalog without a warehouse in the file chooses the tables' locations itself
    String at = type.equals("rest") && w == null ? "" : location;
    return new IcebergDestinationBinding(
        new IcebergSettings(at, type, catalogUri, namespace, props));
  }

  @Override
  public Optional<DestinationBinding> bindDefault(ConnectorContext context) {
    return Optional.empty();
  }
}
