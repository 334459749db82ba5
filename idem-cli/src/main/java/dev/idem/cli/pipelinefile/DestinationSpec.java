package dev.idem.cli.pipelinefile;

import dev.idem.kafka.KafkaDestinationConfig;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where a pipeline file's windows land: a JDBC URL and its connection properties, or a Kafka
 * cluster's settings ({@code type: kafka}). Properties may
 * hold secrets, so {@link #toString()} and {@link #describe()} show the URL only, with any
 * password or user-info masked.
 */
public final class DestinationSpec {
  private static final Pattern USER_INFO = Pattern.compile("//[^/@?#]+@");
  private static final Pattern SECRET_PARAM = Pattern.compile("(?i)((?:password|pwd|secret|token|user)=)[^&;]*");

  private final String url;
  private final Properties properties;
  private final KafkaDestinationConfig kafka;

  DestinationSpec(String url, Properties properties) {
    this.url = url;
    this.properties = new Properties();
    this.properties.putAll(properties);
    this.kafka = null;
  }

  /** A Kafka cluster ({@code type: kafka}); its {@link #url()} is {@code kafka://} and the bootstrap servers. */
  DestinationSpec(KafkaDestinationConfig kafka) {
    this.url = "kafka://" + kafka.client().get("bootstrap.servers");
    this.properties = new Properties();
    this.kafka = kafka;
  }

  /** The Kafka destination's settings, when the destination is a Kafka cluster. */
  public java.util.Optional<KafkaDestinationConfig> kafka() {
    return java.util.Optional.ofNullable(kafka);
  }

  public String url() {
    return url;
  }

  /** A copy: callers may not change the spec. */
  public Properties properties() {
    Properties copy = new Properties();
    copy.putAll(properties);
    return copy;
  }

  /** The URL for messages: user-info and password-like parameters masked. */
  public String describe() {
    return mask(url);
  }

  /** Any JDBC URL for messages: user-info and password-like parameters masked. */
  static String mask(String url) {
    String masked = USER_INFO.matcher(url).replaceAll("//" + Redactor.MASK + "@");
    return SECRET_PARAM.matcher(masked).replaceAll("$1" + Redactor.MASK);
  }

  @Override
  public String toString() {
    return describe();
  }
}
