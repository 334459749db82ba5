package dev.idem.iceberg;

import dev.idem.connector.DestinationBinding;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import java.time.Duration;

/**
 * Iceberg tables a pipeline writes ({@code type: iceberg}). Its scratch twin for {@code idem
 * verify} is a namespace of its own in the same catalog, dropped by the verifier's full refreshes.
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
    return new IcebergDestination(
        new IcebergSettings(
            settings.warehouse(),
            settings.catalogType(),
            settings.catalogUri(),
            settings.namespace() + "_idem_verify",
            settings.properties()),
        services);
  }

  @Override
  public String toString() {
    return describe();
  }
}
