package dev.idem.testkit.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * The one node (controller and broker in KRaft combined mode) behind {@link KafkaBroker}: its
 * configuration for a single node, its start through Kafka's test kit in a temp directory, and its
 * stop, which deletes that directory.
 */
final class KraftNode {
  final KafkaClusterTestKit cluster;
  final Admin admin;
  final Duration startup;
  private final Path dir;

  private KraftNode(KafkaClusterTestKit cluster, Admin admin, Path dir, Duration startup) {
    this.cluster = cluster;
    this.admin = admin;
    this.dir = dir;
    this.startup = startup;
  }

  /** Formats and starts the node in a new temp directory, and waits until it is ready. */
  static KraftNode start() {
    long began = System.nanoTime();
    Path dir;
    try {
      dir = Files.createTempDirectory("idem-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temp directory for the Kafka broker", e);
    }
    KafkaClusterTestKit cluster = null;
    try {
      TestKitNodes nodes =
          new TestKitNodes.Builder(productionMetadata())
              .setCombined(true)
              .setNumBrokerNodes(1)
              .setNumControllerNodes(1)
              .setBaseDirectory(dir)
              .build();
      KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
      brokerConfig().forEach(builder::setConfigProp);
      cluster = builder.build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
      return new KraftNode(cluster, admin, dir, Duration.ofNanos(System.nanoTime() - began));
    } catch (Exception e) {
      closeQuietly(cluster);
      deleteQuietly(dir);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not start the Kafka test broker: " + e, e);
    }
  }

  /**
   * Metadata and feature levels of the latest production release, not the test kit's unreleased
   * ones.
   */
  private static BootstrapMetadata productionMetadata() {
    MetadataVersion version = MetadataVersion.latestProduction();
    Map<String, Short> features = new TreeMap<>();
    for (Feature feature : Feature.PRODUCTION_FEATURES) {
      features.put(feature.featureName(), feature.defaultLevel(version));
    }
    return BootstrapMetadata.fromVersions(version, features, "idem-kafka-test");
  }

  private static Map<String, Object> brokerConfig() {
    Map<String, Object> c = new HashMap<>();
    c.put("default.replication.factor", "1");
    c.put("min.insync.replicas", "1");
    c.put("num.partitions", "1");
    c.put("auto.create.topics.enable", "false");
    c.put("offsets.topic.replication.factor", "1");
    c.put("offsets.topic.num.partitions", "1");
    c.put("transaction.state.log.replication.factor", "1");
    c.put("transaction.state.log.min.isr", "1");
    c.put("transaction.state.log.num.partitions", "1");
    c.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
    c.put("group.initial.rebalance.delay.ms", "0");
    c.put("share.coordinator.state.topic.replication.factor", "1");
    c.put("share.coordinator.state.topic.min.isr", "1");
    c.put("log.cleaner.backoff.ms", "1000");
    // the test kit turns these on by default; a test broker should speak what a released one speaks
    c.put("unstable.api.versions.enable", "false");
    c.put("unstable.feature.versions.enable", "false");
    return c;
  }

  /** Closes the admin client and the node, and deletes its logs. */
  void stop() {
    try {
      admin.close(Duration.ofSeconds(5));
    } catch (RuntimeException ignored) {
      // the JVM is exiting
    }
    closeQuietly(cluster);
    deleteQuietly(dir);
  }

  private static void closeQuietly(KafkaClusterTestKit cluster) {
    if (cluster == null) {
      return;
    }
    try {
      cluster.close();
    } catch (Exception ignored) {
      // the broker's files are deleted next; nothing else holds on to it
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // a temp directory; the OS cleans it eventually
    }
  }
}
