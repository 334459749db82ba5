package dev.idem.iceberg;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigSchema;
import dev.idem.connector.Secrets;
import dev.idem.connector.Section;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A warehouse in S3-compatible object storage ({@code warehouse: s3://bucket/path}): Iceberg's
 * {@code S3FileIO} on the AWS SDK's S3 client, set by {@code destination.s3}. Credentials are taken
 * from the environment only: written in the file as {@code ${env:NAME}}, or left out for the AWS
 * SDK's default chain ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, a profile, an
 * instance role); a literal key in the pipeline file is refused.
 */
final class ObjectStorage {
  static final List<String> KEYS =
      List.of(
          "endpoint",
          "region",
          "path_style_access",
          "access_key_id",
          "secret_access_key",
          "session_token");

  /** Iceberg's S3FileIO, and its property names for {@link #KEYS} in order. */
  static final String S3_FILE_IO = "org.apache.iceberg.aws.s3.S3FileIO";

  private static final List<String> ICEBERG_KEYS =
      List.of(
          "s3.endpoint",
          "client.region",
          "s3.path-style-access",
          "s3.access-key-id",
          "s3.secret-access-key",
          "s3.session-token");

  private static final List<String> CREDENTIALS =
      List.of("access_key_id", "secret_access_key", "session_token");

  private ObjectStorage() {}

  /** Whether {@code warehouse} is in S3-compatible object storage. */
  static boolean isS3(String warehouse) {
    return warehouse.startsWith("s3://") || warehouse.startsWith("s3a://");
  }

  static Map<String, Object> schema() {
    return ConfigSchema.mapping(
        ConfigSchema.properties(
            "endpoint",
            ConfigSchema.string("an S3-compatible endpoint (default: AWS's for the region)"),
            "region",
            ConfigSchema.string("the region (default: the AWS SDK's, e.g. AWS_REGION)"),
            "path_style_access",
            ConfigSchema.bool("bucket in the path, not the host name (most S3-compatible servers)"),
            "access_key_id",
            ConfigSchema.string("${env:NAME} only (default: the AWS SDK's credential chain)"),
            "secret_access_key",
            ConfigSchema.string("${env:NAME} only"),
            "session_token",
            ConfigSchema.string("${env:NAME} only")),
        List.of(),
        null);
  }

  /**
   * The catalog properties of {@code destination.s3}; every credential is learned by {@code
   * secrets}, so no message shows it.
   */
  static Map<String, String> bind(ConfigNode node, Secrets secrets) {
    Section s = Section.of("destination.s3", Section.mapping(node, "destination.s3"));
    s.checkKeys(KEYS);
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < KEYS.size(); i++) {
      String key = KEYS.get(i);
      if (!s.has(key)) {
        continue;
      }
      ConfigNode.Scalar v = s.requiredScalar(key);
      if (CREDENTIALS.contains(key)) {
        if (!v.secret() || v.value().isEmpty()) {
          throw s.problem(
              key,
              s.pathOf(key)
                  + ": credentials are read from the environment only: write ${env:NAME}"
                  + " (or leave the credentials out for the AWS SDK's default chain)");
        }
        secrets.add(v.value());
      }
      String value =
          key.equals("path_style_access") ? String.valueOf(s.bool(key, false)) : v.value().strip();
      out.put(ICEBERG_KEYS.get(i), value);
    }
    if (s.has("access_key_id") != s.has("secret_access_key")) {
      throw s.problem(
          s.has("access_key_id") ? "access_key_id" : "secret_access_key",
          "destination.s3: access_key_id and secret_access_key go together (or neither, for the"
              + " AWS SDK's default chain)");
    }
    return out;
  }

  /**
   * Adds to the catalog properties {@code p} what a warehouse at {@code warehouse} needs: for S3,
   * S3FileIO with the JDK's HTTP client (the one the plugin ships).
   */
  static void defaults(Map<String, String> p, String warehouse) {
    if (warehouse != null && isS3(warehouse)) {
      p.putIfAbsent("io-impl", S3_FILE_IO);
    }
    p.putIfAbsent("http-client.type", "urlconnection");
    checksums(p);
  }

  /**
   * For a FileIO of the properties {@code p} on an S3-compatible server ({@code s3.endpoint}):
   * since 2.30 the AWS SDK adds CRC checksums (and chunked uploads) to every request, which such
   * servers often refuse (S3Proxy, older MinIO and Ceph); ask for them only where the operation
   * needs them. Iceberg has no property for it, so the SDK's own system properties, in this JVM (a
   * driver's, or an executor's that writes data files), unless it was started with them
   * (-Daws.requestChecksumCalculation=...).
   */
  static void checksums(Map<String, String> p) {
    if (p.containsKey("s3.endpoint")) {
      setIfAbsent("aws.requestChecksumCalculation", "when_required");
      setIfAbsent("aws.responseChecksumValidation", "when_required");
    }
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }
}
