package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.destination.Finding;
import dev.idem.key.KeySpec;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.testkit.time.MutableClock;
import dev.idem.window.WindowSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code idem doctor} on an Iceberg table: data files never committed, and stale leases. */
class IcebergDoctorTest {
  private static final Duration TTL = Duration.ofMinutes(5);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.now());

  private IcebergDestination open() {
    return new IcebergDestination(
        IcebergSettings.local(dir.resolve("warehouse"), "idem"),
        RunServices.defaults().withClock(clock).withOwner("doc").withLeaseTtl(TTL));
  }

  private static Pipeline pipeline() {
    ListSource s =
        new ListSource(
            Schema.of(Column.of("id", DataType.INTEGER), Column.of("at", DataType.TIMESTAMP)));
    s.add(1L, LocalDateTime.parse("2024-03-01T10:00:00"));
    s.add(2L, LocalDateTime.parse("2024-03-02T10:00:00"));
    return Pipeline.builder("doc")
        .version("1")
        .source(s)
        .table("doc")
        .strategy(WriteStrategy.MERGE)
        .key(KeySpec.columns("id"))
        .windows(WindowSpec.day("at", ZoneOffset.UTC))
        .build();
  }

  private List<Path> dataFiles() throws Exception {
    try (Stream<Path> all = Files.walk(dir.resolve("warehouse/idem/doc/data"))) {
      return all.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  @Test
  void anOldDataFileNoSnapshotReferencesIsFoundAndRemovedOnRequest() throws Exception {
    Pipeline p = pipeline();
    try (IcebergDestination d = open()) {
      d.prepare(p);
      assertThat(d.diagnose(p)).isEmpty();
      new Runner(d, RunServices.defaults().withClock(clock).withOwner("doc"))
          .run(p, p.source().windows(p.windows()), RunOptions.defaults("run"));
      List<Path> committed = dataFiles();
      assertThat(committed).hasSize(2);
      // what a killed run leaves: a data file written, its commit never made
      Path young = committed.get(0).resolveSibling("idem-killed-young.parquet");
      Path old = committed.get(0).resolveSibling("idem-killed-old.parquet");
      Files.copy(committed.get(0), young);
      Files.copy(committed.get(0), old);
      Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(2))));

      List<Finding> found = d.diagnose(p);
      assertThat(found).extracting(Finding::kind).containsExactly("orphan_data_file");
      assertThat(found.get(0).subject()).endsWith("idem-killed-old.parquet");
      assertThat(found.get(0).fix().apply()).startsWith("deleted ");
      assertThat(old).doesNotExist();
      assertThat(young).exists(); // younger than the safety age: a commit may be on its way
      assertThat(committed).allSatisfy(f -> assertThat(f).exists());
      assertThat(d.tableRows("doc")).hasSize(2);
      assertThat(d.diagnose(p)).isEmpty();
    }
  }

  @Test
  void aLeaseLeftToExpireIsAStaleLeaseAndTheFixFailsTheWindowUnderItsToken() {
    Pipeline p = pipeline();
    try (IcebergDestination d = open()) {
      d.prepare(p);
      Lease lease = d.ledger().claim("doc", "2024-03-01", "gone:nohost:1", TTL).orElseThrow();
      assertThat(d.diagnose(p)).isEmpty(); // a live lease is not a finding
      clock.advance(TTL.plusSeconds(1));
      List<Finding> found = d.diagnose(p);
      assertThat(found).extracting(Finding::kind).containsExactly("stale_lease");
      assertThat(found.get(0).fix().apply()).isEqualTo("marked window 2024-03-01 failed");
      assertThat(d.ledger().state("doc", "2024-03-01").orElseThrow())
          .satisfies(
              s -> {
                assertThat(s.status()).isEqualTo(WindowStatus.FAILED);
                assertThat(s.token()).isEqualTo(lease.token());
              });
      assertThat(d.diagnose(p)).extracting(Finding::kind).containsExactly("failed_window");
    }
  }
}
