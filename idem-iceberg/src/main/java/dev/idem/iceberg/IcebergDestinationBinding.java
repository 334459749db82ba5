package dev.idem.iceberg;

import dev.idem.connector.DestinationBinding;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import java.time.Duration;
import java.util.UUID;

/**
 * Iceberg tables a pipeline writes ({@code type: iceberg}). Its scratch twin for {@code idem
 * verify} is a new namespace in the same catalog for each check ({@code <namespace>_idem_verify_}
 * and a random suffix), so that every check starts from an empty table and ledger; it is dropped,
 * files and ledgers purged, when the check closes it.
 */
public final class IcebergDestinationBinding implements DestinationBinding {
  private final IcebergSettings settings;

  public IcebergDestinationBinding(IcebergSettings settings) {
    this.settings = settings;
  }

  public IcebergSettings settings() {
    return settings;
  }

  @Override
  public Destination open(RunServices services, Duration lockTimeout) {
    return new IcebergDestination(settings, services);
  }

  @Override
  public String describe() {
    return settings.describe();
  }

  @Override
  public Destination scratch(RunServices services) {
    return IcebergDestination.scratch(
        new IcebergSettings(
            settings.warehouse(),
            settings.catalogType(),
            settings.catalogUri(),
            settings.namespace()
                + "_idem_verify_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12),
            settings.properties()),
        services);
  }

  @Override
  public String toString() {
    return describe();
  }
}
