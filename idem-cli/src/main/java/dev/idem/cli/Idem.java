package dev.idem.cli;

import dev.idem.connector.Connectors;
import dev.idem.connector.Secrets;
import dev.idem.context.RunServices;
import dev.idem.fault.HaltAt;
import dev.idem.fault.PauseAt;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code idem} command. Everything a command needs from the outside world (environment, output
 * streams, whether stdout is a terminal, runtime services, how destinations open) is passed in, so
 * tests run the real CLI in process. Only {@link #main} exits the JVM.
 */
@Command(
    name = "idem",
    mixinStandardHelpOptions = true,
    versionProvider = Idem.Version.class,
    description = "Idempotent data pipelines: every load is safe to re-run.",
    subcommands = {
      RunCommand.class,
      BackfillCommand.class,
      PlanCommand.class,
      SchemaCommand.class,
      StatusCommand.class,
      CheckCommand.class,
      DoctorCommand.class,
      ResetCommand.class,
      ResolveCommand.class,
      VerifyCommand.class,
      DlqCommand.class,
      ConnectorsCommand.class,
      ServeCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCode.HELP_OK,
      ExitCode.HELP_FAILED,
      ExitCode.HELP_USAGE,
      ExitCode.HELP_PARTLY_FAILED,
      ExitCode.HELP_HELD,
      ExitCode.HELP_SIGINT,
      ExitCode.HELP_SIGTERM
    })
public final class Idem implements Callable<Integer> {
  final Function<String, String> env;
  final PrintWriter out;
  final PrintWriter err;
  final boolean terminal;
  final Supplier<RunServices> services;
  final DestinationOpener destinations;
  final Secrets secrets = new Secrets();

  /** The source and destination factories on the class path. */
  final Connectors connectors = Connectors.discover(Idem.class.getClassLoader());

  Idem(
      Function<String, String> env,
      PrintWriter out,
      PrintWriter err,
      boolean terminal,
      Supplier<RunServices> services,
      DestinationOpener destinations) {
    this.env = Objects.requireNonNull(env, "env");
    this.out = out;
    this.err = err;
    this.terminal = terminal;
    this.services = services;
    this.destinations = destinations;
  }

  /** The command as run from a shell: real environment, stdout/stderr, JDBC destinations. */
  @SuppressWarnings("SystemConsoleNull") // Java 17: a null console means no terminal
  public static Idem standard() {
    Charset cs = Charset.defaultCharset();
    return new Idem(
        System::getenv,
        new PrintWriter(new OutputStreamWriter(System.out, cs), true),
        new PrintWriter(new OutputStreamWriter(System.err, cs), true),
        System.console() != null,
        Idem::servicesFromSystem,
        DestinationOpener.STANDARD);
  }

  /**
   * Default services; a crash test may ask for a {@code Runtime.halt} at a fault point with {@code
   * -Didem.fault.halt=POINT[:WINDOW][@N]} (see {@link HaltAt}), a signal test for a pause with
   * {@code -Didem.fault.pause=POINT[:WINDOW]} (see {@link PauseAt}).
   */
  static RunServices servicesFromSystem() {
    RunServices services = RunServices.defaults();
    String halt = System.getProperty(HaltAt.PROPERTY);
    if (halt != null) {
      return services.withFaults(HaltAt.parse(halt));
    }
    String pause = System.getProperty(PauseAt.PROPERTY);
    if (pause != null) {
      Duration millis = Duration.ofMillis(Long.getLong(PauseAt.MILLIS, 60_000));
      return services.withFaults(
          new PauseAt(HaltAt.Spec.parse(PauseAt.PROPERTY, pause.trim()), millis));
    }
    return services;
  }

  public static void main(String[] args) {
    System.exit(standard().execute(args));
  }

  /** Runs one command line and returns its exit code. */
  public int execute(String... args) {
    CommandLine cmd = new CommandLine(this);
    ErrorHandler handler = new ErrorHandler(this);
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setExecutionExceptionHandler(handler);
    cmd.setParameterExceptionHandler(handler);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setExitCodeExceptionMapper(handler);
    cmd.setAbbreviatedOptionsAllowed(false);
    cmd.setDefaultValueProvider(new EnvDefaults(env));
    HelpLayout.apply(cmd, columns());
    try {
      return cmd.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** Without a subcommand: the usage, as a usage error. */
  @Override
  public Integer call() {
    CommandLine cmd = new CommandLine(this);
    HelpLayout.apply(cmd, columns());
    cmd.usage(err);
    return ExitCode.USAGE;
  }

  /** The terminal's width: {@code COLUMNS} when the shell exports it, else 80. */
  int columns() {
    String c = env.apply("COLUMNS");
    if (c != null && c.strip().matches("[1-9][0-9]{0,3}")) {
      return Integer.parseInt(c.strip());
    }
    return 80;
  }

  /** Prints a line on stdout, masking any value that came from the environment. */
  void println(String line) {
    out.println(secrets.redact(line));
  }

  /** Prints {@code idem: message} on stderr, masked. */
  void error(String message) {
    err.println("idem: " + secrets.redact(message));
    err.flush();
  }

  /**
   * {@code idem VERSION (commit ABBREV)}: the version and the git commit the build was made from
   * (written by the build into {@code dev/idem/cli/git.properties}); {@code commit unknown} when
   * the build had no git information (built from a source tarball).
   */
  static final class Version implements CommandLine.IVersionProvider {
    static final String RESOURCE = "git.properties";

    @Override
    public String[] getVersion() {
      return new String[] {line(Idem.class.getResourceAsStream(RESOURCE))};
    }

    static String line(InputStream properties) {
      Properties p = new Properties();
      if (properties != null) {
        try (InputStream in = properties) {
          p.load(in);
        } catch (IOException e) {
          p.clear(); // an unreadable file says as much as a missing one
        }
      }
      String version = p.getProperty("git.build.version");
      if (version == null) {
        version = Idem.class.getPackage().getImplementationVersion();
      }
      String commit = p.getProperty("git.commit.id.abbrev", "");
      return "idem "
          + (version == null ? "(development build)" : version)
          + " (commit "
          + (commit.isBlank() ? "unknown" : commit)
          + ")";
    }
  }
}
