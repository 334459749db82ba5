package dev.idem.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.JsonEscapeUtil;
import dev.idem.connector.Secrets;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;

/**
 * The command line's logging, for the length of one command: SLF4J events (idem's and its
 * libraries') at the chosen level go to the command's stderr as text or JSON lines, with every
 * secret masked; the configuration in place before (see {@link LogDefaults}) comes back on close.
 * Logback's configuration is process-wide: two commands running at once in one JVM (only tests do)
 * share it, the one started last receiving the lines of both until it ends.
 */
final class Logs implements AutoCloseable {
  /**
   * Libraries whose info lines are chatter (Kafka's client logs its whole config, Spark every task
   * of every job): warn at most.
   */
  static final List<String> CHATTY =
      List.of(
          "org.apache.kafka",
          "kafka",
          "state.change.logger",
          "org.apache.iceberg",
          "org.apache.hadoop",
          "org.apache.parquet",
          "org.apache.spark",
          "org.sparkproject");

  /** The text line: time, level, logger, message; exceptions follow it. */
  static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";

  private final LoggerContext context;
  private final Logger root;
  private final Level rootBefore;
  private final List<Appender<ILoggingEvent>> appendersBefore = new ArrayList<>();
  private final Lines lines;

  private Logs(LoggerContext context, Level level, Encoder<ILoggingEvent> encoder, Lines lines) {
    this.context = context;
    this.root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    this.rootBefore = root.getLevel();
    this.lines = lines;
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      appendersBefore.add(it.next());
    }
    appendersBefore.forEach(a -> root.detachAppender(a));
    encoder.setContext(context);
    encoder.start();
    lines.encoder = encoder;
    lines.setContext(context);
    lines.setName("idem-stderr");
    lines.start();
    root.setLevel(level);
    quietChatty(context, level);
    root.addAppender(lines);
  }

  /**
   * Logs at {@code level} in {@code format} to {@code err}, masking what {@code secrets} knows,
   * until closed.
   */
  static Logs start(PrintWriter err, Level level, LogOptions.LogFormat format, Secrets secrets) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    return format == LogOptions.LogFormat.json
        ? new Logs(
            context, level, json(), new Lines(err, secrets, JsonEscapeUtil::jsonEscapeString))
        : new Logs(
            context, level, text(TEXT_PATTERN), new Lines(err, secrets, UnaryOperator.identity()));
  }

  static PatternLayoutEncoder text(String pattern) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setPattern(pattern);
    encoder.setCharset(StandardCharsets.UTF_8);
    return encoder;
  }

  /**
   * Logback's own JSON lines: time, level, logger, thread, the MDC (pipeline, run, window), the
   * formatted message and any exception; the message's raw pattern and arguments are left out.
   */
  static JsonEncoder json() {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    return encoder;
  }

  /** Kafka and the like stay at warn, unless the whole log is quieter still. */
  static void quietChatty(LoggerContext context, Level level) {
    Level chatty = level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN;
    CHATTY.forEach(name -> context.getLogger(name).setLevel(chatty));
    // Hadoop warns on every start that it runs its own Java code (what idem wants): not news
    context.getLogger("org.apache.hadoop.util.NativeCodeLoader").setLevel(Level.ERROR);
  }

  @Override
  public void close() {
    root.detachAppender(lines);
    lines.stop();
    root.setLevel(rootBefore);
    quietChatty(context, rootBefore == null ? Level.WARN : rootBefore);
    appendersBefore.forEach(root::addAppender);
  }

  /**
   * Writes each event, encoded, to the command's stderr with every secret masked, as it is written
   * and as the encoding quotes it.
   */
  static final class Lines extends AppenderBase<ILoggingEvent> {
    private final PrintWriter err;
    private final Secrets secrets;
    private final UnaryOperator<String> quoting;
    Encoder<ILoggingEvent> encoder;

    Lines(PrintWriter err, Secrets secrets, UnaryOperator<String> quoting) {
      this.err = err;
      this.secrets = secrets;
      this.quoting = quoting;
    }

    @Override
    protected void append(ILoggingEvent event) {
      String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
      err.print(secrets.redact(line, quoting));
      err.flush();
    }
  }
}
