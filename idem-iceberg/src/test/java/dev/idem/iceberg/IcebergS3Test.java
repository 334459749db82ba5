package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cases of {@link IcebergFenceTest} (run twice = once, replace_window, two runners of one
 * window: exactly one lands, a ledger change raced by another is decided again) with the warehouse
 * in S3-compatible object storage: S3Proxy on its in-memory blob store, in this process, spoken to
 * through Iceberg's S3FileIO with path-style access, a region and access keys, as a MinIO or Ceph
 * endpoint would be. The catalog is the JDBC catalog on an SQLite file.
 */
class IcebergS3Test extends IcebergFenceTest {
  private static final String BUCKET = "idem-warehouse";
  private static final String KEY_ID = "idem-test-key";
  private static final String SECRET = "idem-test-secret-0123456789";

  private static BlobStoreContext blobs;
  private static S3Proxy proxy;

  @BeforeAll
  static void startObjectStore() throws Exception {
    blobs =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .build(BlobStoreContext.class);
    blobs.getBlobStore().createContainerInLocation(null, BUCKET);
    proxy =
        S3Proxy.builder()
            .blobStore(blobs.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY_ID, SECRET)
            .build();
    proxy.start();
  }

  @AfterAll
  static void stopObjectStore() throws Exception {
    proxy.stop();
    blobs.close();
  }

  /** Every test its own prefix of the bucket and its own catalog file. */
  @Override
  IcebergSettings settings() {
    return new IcebergSettings(
        "s3://" + BUCKET + "/" + dir.getFileName() + "/warehouse",
        "jdbc",
        "jdbc:sqlite:" + dir.resolve("catalog.db").toAbsolutePath(),
        "idem",
        Map.of(
            "s3.endpoint",
            "http://127.0.0.1:" + proxy.getPort(),
            "s3.path-style-access",
            "true",
            "client.region",
            "us-east-1",
            "s3.access-key-id",
            KEY_ID,
            "s3.secret-access-key",
            SECRET));
  }

  /** Not repeated on object storage: snapshot isolation is the catalog's metadata swap. */
  @Override
  void aReaderDuringTwentyWindowReplacesSeesOnlyWholeSnapshots() {}

  /**
   * Not repeated on object storage (about 12 s here): which of two commits lands is the catalog's
   * swap, the same as in {@link IcebergFenceTest}; the races that matter run above.
   */
  @Override
  void runnersOfOtherWindowsCommittingAtOnceBothLand() {}

  @Test
  void theTablesDataMetadataAndLedgerAreInTheBucketAndNothingIsOnTheLocalDisk() throws Exception {
    Pipeline p = pipeline(WriteStrategy.MERGE, 4, 2);
    String ledger;
    String metadata;
    try (IcebergDestination d = open("s3")) {
      assertThat(run(d, p, "r1").ok()).isTrue();
      try (CatalogHandle c = new CatalogHandle(d.settings())) {
        Table t = c.load(TableIdentifier.of("idem", "fenced"));
        ledger = t.properties().get(LedgerStore.POINTER);
        metadata = t.currentSnapshot().manifestListLocation();
      }
    }
    String prefix = "s3://" + BUCKET + "/" + dir.getFileName() + "/warehouse/idem/";
    assertThat(ledger).startsWith(prefix + "_idem_ledger/fenced/ledger-");
    assertThat(metadata).startsWith(prefix + "fenced/metadata/");
    List<String> keys = keys(dir.getFileName() + "/warehouse/idem/");
    assertThat(keys)
        .contains(ledger.substring(("s3://" + BUCKET + "/").length()))
        .anyMatch(k -> k.matches(".*/fenced/data/.*\\.parquet"))
        .anyMatch(k -> k.matches(".*/fenced/metadata/.*\\.metadata\\.json"));
    // the replaced ledger files were deleted from the bucket: one is left
    assertThat(keys).filteredOn(k -> k.contains("/_idem_ledger/")).hasSize(1);
    try (Stream<java.nio.file.Path> local = Files.list(dir)) {
      // beside the catalog's SQLite file (and its write-ahead log), nothing on the local disk
      assertThat(local.map(f -> f.getFileName().toString()))
          .allMatch(n -> n.startsWith("catalog.db"));
    }
  }

  private static List<String> keys(String prefix) {
    BlobStore store = blobs.getBlobStore();
    List<String> out = new ArrayList<>();
    ListContainerOptions options = ListContainerOptions.Builder.prefix(prefix).recursive();
    String marker = null;
    do {
      var page = store.list(BUCKET, marker == null ? options : options.afterMarker(marker));
      for (StorageMetadata m : page) {
        out.add(m.getName());
      }
      marker = page.getNextMarker();
    } while (marker != null);
    return out;
  }
}
