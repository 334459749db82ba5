package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Location;
import dev.idem.connector.Secrets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@code type: iceberg} binds for object storage and catalogs, and what it refuses, without a
 * server: credentials only from the environment, and never shown.
 */
class IcebergConfigTest {
  private static final Location AT = new Location("p.yaml", 7, 5);
  private final Secrets secrets = new Secrets();
  private final ConnectorContext context =
      new ConnectorContext(Path.of("/tmp/pipelines"), "orders", name -> null, secrets);

  /** A value substituted from {@code ${env:NAME}}, as the pipeline file's reader makes it. */
  private static ConfigNode.Scalar fromEnv(String name, String value) {
    return new ConfigNode.Scalar(
        AT, value, ConfigNode.Scalar.Type.STRING, "${env:" + name + "}", true);
  }

  private static ConfigNode.Mapping mapping(Object... keysAndValues) {
    Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      String key = (String) keysAndValues[i];
      Object v = keysAndValues[i + 1];
      ConfigNode node =
          v instanceof ConfigNode n
              ? n
              : ConfigNode.Scalar.of(
                  AT,
                  String.valueOf(v),
                  v instanceof Boolean
                      ? ConfigNode.Scalar.Type.BOOLEAN
                      : ConfigNode.Scalar.Type.STRING);
      entries.put(key, new ConfigNode.Entry(key, AT, node));
    }
    return new ConfigNode.Mapping(AT, entries);
  }

  private IcebergSettings bind(ConfigNode.Mapping destination) {
    IcebergDestinationBinding b =
        (IcebergDestinationBinding) new IcebergDestinationFactory().bind(destination, context);
    return b.settings();
  }

  private static ConfigNode.Mapping s3Destination(ConfigNode.Mapping s3) {
    return mapping(
        "type",
        "iceberg",
        "warehouse",
        "s3://lake/idem",
        "catalog",
        mapping("type", "jdbc", "uri", "jdbc:postgresql://db/catalog"),
        "s3",
        s3);
  }

  @Test
  void anS3WarehouseTakesEndpointRegionPathStyleAndCredentialsFromTheEnvironment() {
    IcebergSettings s =
        bind(
            s3Destination(
                mapping(
                    "endpoint",
                    "http://127.0.0.1:9000",
                    "region",
                    "eu-west-1",
                    "path_style_access",
                    true,
                    "access_key_id",
                    fromEnv("LAKE_KEY", "AKIAEXAMPLEKEY"),
                    "secret_access_key",
                    fromEnv("LAKE_SECRET", "s3cr3t-from-env"))));
    assertThat(s.warehouse()).isEqualTo("s3://lake/idem");
    assertThat(s.properties())
        .containsEntry("s3.endpoint", "http://127.0.0.1:9000")
        .containsEntry("client.region", "eu-west-1")
        .containsEntry("s3.path-style-access", "true")
        .containsEntry("s3.access-key-id", "AKIAEXAMPLEKEY")
        .containsEntry("s3.secret-access-key", "s3cr3t-from-env");
    // the description shows no credential, and any message that quotes one has it masked
    assertThat(s.describe()).doesNotContain("AKIAEXAMPLEKEY").doesNotContain("s3cr3t-from-env");
    assertThat(secrets.redact("denied for AKIAEXAMPLEKEY with s3cr3t-from-env"))
        .isEqualTo("denied for *** with ***");
    Map<String, String> p = new java.util.HashMap<>(s.properties());
    ObjectStorage.defaults(p, s.warehouse());
    assertThat(p).containsEntry("io-impl", ObjectStorage.S3_FILE_IO);
  }

  @Test
  void aCredentialWrittenInTheFileIsRefusedWithoutBeingShown() {
    assertThatThrownBy(
            () ->
                bind(
                    s3Destination(
                        mapping(
                            "access_key_id",
                            fromEnv("LAKE_KEY", "AKIAEXAMPLEKEY"),
                            "secret_access_key",
                            "literal-secret-in-file"))))
        .isInstanceOf(ConfigProblem.class)
        .hasMessageContaining("p.yaml:7")
        .hasMessageContaining("destination.s3.secret_access_key")
        .hasMessageContaining("${env:NAME}")
        .hasMessageNotContaining("literal-secret-in-file")
        .message()
        .doesNotContain("\n");
  }

  @Test
  void aKeyIdWithoutItsSecretIsRefused() {
    assertThatThrownBy(
            () -> bind(s3Destination(mapping("access_key_id", fromEnv("LAKE_KEY", "AKIAEXAMPLE")))))
        .isInstanceOf(ConfigProblem.class)
        .hasMessageContaining("access_key_id and secret_access_key go together");
  }

  @Test
  void anObjectStorageWarehouseNeedsACatalog() {
    assertThatThrownBy(() -> bind(mapping("type", "iceberg", "warehouse", "s3://lake/idem")))
        .isInstanceOf(ConfigProblem.class)
        .hasMessageContaining("a warehouse at a URI needs a catalog");
  }

  @Test
  void aRestCatalogWithoutAWarehouseLetsTheServerChooseAndPassesItsPropertiesOn() {
    IcebergSettings s =
        bind(
            mapping(
                "type",
                "iceberg",
                "catalog",
                mapping(
                    "type", "rest",
                    "uri", "https://catalog.example/api",
                    "token", fromEnv("CATALOG_TOKEN", "tok-from-env"))));
    assertThat(s.catalogType()).isEqualTo("rest");
    assertThat(s.warehouse()).isEmpty();
    assertThat(s.properties()).containsEntry("token", "tok-from-env");
    assertThat(s.describe()).isEqualTo("iceberg rest catalog https://catalog.example/api");
    assertThat(secrets.redact("401 for tok-from-env")).isEqualTo("401 for ***");
  }
}
