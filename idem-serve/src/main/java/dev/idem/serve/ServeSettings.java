package dev.idem.serve;

import dev.idem.context.RunServices;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * How {@code idem serve} listens and what it shows: the address and port (0: any free port), the
 * host names a request may name in its {@code Host} header (DNS rebinding: a page of another site
 * whose name resolves to this machine is refused), whether dead letters show their raw input, how
 * long a spot-check may take (and a window page's input fingerprint), how long the grid waits for
 * its windows' input fingerprints (the stale-input marker), whether the page offers actions (re-run
 * a window, replay dead letters; {@code --allow-actions}: null when not), and the services
 * destinations are opened with.
 */
public record ServeSettings(
    String bind,
    int port,
    Set<String> allowedHosts,
    RawInput rawInput,
    Duration checkTimeout,
    Duration gridInputTimeout,
    ServeActions actions,
    Supplier<RunServices> services) {
  /** Whether the page shows dead letters' raw input (customer data) or only its size. */
  public enum RawInput {
    SHOW,
    HIDE
  }

  public ServeSettings {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(rawInput, "rawInput");
    Objects.requireNonNull(checkTimeout, "checkTimeout");
    Objects.requireNonNull(gridInputTimeout, "gridInputTimeout");
    Objects.requireNonNull(services, "services");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
    }
    allowedHosts =
        allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
  }

  /**
   * Read-only settings: the grid fingerprints inputs for at most {@link #GRID_INPUT_TIMEOUT}, and
   * there are no actions.
   */
  public ServeSettings(
      String bind,
      int port,
      Set<String> allowedHosts,
      RawInput rawInput,
      Duration checkTimeout,
      Supplier<RunServices> services) {
    this(bind, port, allowedHosts, rawInput, checkTimeout, GRID_INPUT_TIMEOUT, null, services);
  }

  /** How long the grid waits for the inputs' fingerprints by default. */
  public static final Duration GRID_INPUT_TIMEOUT = Duration.ofSeconds(2);

  /**
   * The host names a page on this machine is reached by: localhost, the loopback addresses, and the
   * bind address itself, plus {@code extra}.
   */
  public static Set<String> localHosts(String bind, List<String> extra) {
    Set<String> hosts = new java.util.TreeSet<>(List.of("localhost", "127.0.0.1", "[::1]", "::1"));
    if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
      hosts.add(bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind);
    }
    hosts.addAll(extra);
    return hosts;
  }

  /** Whether a request's {@code Host} header (with or without its port) names an allowed host. */
  boolean allows(String hostHeader) {
    if (hostHeader == null || hostHeader.isBlank()) {
      return false;
    }
    String host = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      host = end < 0 ? host : host.substring(0, end + 1);
    } else {
      int colon = host.lastIndexOf(':');
      if (colon >= 0 && host.indexOf(':') == colon) {
        host = host.substring(0, colon);
      }
    }
    return allowedHosts.contains(host);
  }
}
