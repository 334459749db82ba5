package dev.idem.http;

import dev.idem.IdemException;
import dev.idem.connector.DestinationBinding;
import dev.idem.connector.Secrets;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.jdbc.JdbcDestination;
import java.time.Duration;
import java.util.Optional;

/** A checked {@code type: http} section and the binding of its ledger store. */
final class HttpDestinationBinding implements DestinationBinding {
  private final HttpConfig config;
  private final DestinationBinding ledger;
  private final Secrets secrets;
  private final String url;

  HttpDestinationBinding(
      HttpConfig config, DestinationBinding ledger, Secrets secrets, String url) {
    this.config = config;
    this.ledger = ledger;
    this.secrets = secrets;
    this.url = secrets.redact(Secrets.maskUrl(url));
  }

  @Override
  public Destination open(RunServices services, Duration lockTimeout) {
    Destination d = ledger.open(services, lockTimeout);
    if (!(d instanceof JdbcDestination store)) {
      d.close();
      throw new IdemException(
          "destination.ledger: the sent-request ledger needs a JDBC database, got " + d.describe());
    }
    return new HttpDestination(config, store, services, secrets, url);
  }

  @Override
  public String describe() {
    return "http " + config.request().method() + " " + url + " (ledger " + ledger.describe() + ")";
  }

  @Override
  public Optional<String> missing() {
    return ledger.missing();
  }

  @Override
  public Optional<String> noScratch() {
    return Optional.of("an HTTP API has no scratch twin: idem verify would send real requests");
  }

  @Override
  public Destination scratch(RunServices services) {
    throw new IdemException(noScratch().orElseThrow());
  }
}
