package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idem.IdemException;
import dev.idem.cli.crash.ChildIdem;
import dev.idem.context.RunServices;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.retry.RetryPolicy;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password given through {@code ${env:...}} (substituted after the YAML is parsed) appears in no
 * output of a failing pipeline: stdout and stderr, with and without {@code --verbose} (stack traces
 * included), {@code --output json}, slf4j log lines and anything else the process writes to
 * System.out/System.err (in process, and in a child JVM at info level), the ledger as {@code idem
 * status} shows it and as SQL reads it, and the dead letters. Every failure is real: an
 * unresolvable host, a closed port, a wrong password and an unknown role against the embedded
 * PostgreSQL (a role-specific {@code pg_hba.conf} line makes it check passwords), an unknown JDBC
 * driver, a password in the URL's user-info, and a pipeline that connects and then fails a window.
 * The messages must stay useful: one line naming the host or database, just not the secret.
 */
class SecretsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The role's real password: used by the pipeline that connects. */
  private static final String PASSWORD = "Pw-Zq7hunter2-8841";

  /** A wrong one, just as secret. */
  private static final String WRONG = "Wr0ng-Kx3tiger9-5517";

  private static final String ROLE = "idem_secret_login";

  private static String adminUrl;
  private static String port;
  private static String database;

  @TempDir Path dir;

  /**
   * A role with a password, and a database it owns. The embedded server trusts every local
   * connection, so a line for this role alone, ahead of the others, makes it check the password.
   */
  @BeforeAll
  static void roleWithAPassword() throws Exception {
    adminUrl = EmbeddedPostgresServer.newDatabase();
    Matcher m = Pattern.compile("//localhost:(\\d+)/(\\w+)\\?").matcher(adminUrl);
    assertThat(m.find()).isTrue();
    port = m.group(1);
    database = m.group(2);
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement s = c.createStatement()) {
      s.execute(
          "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
              + ROLE
              + "') THEN "
              + "CREATE ROLE "
              + ROLE
              + " LOGIN NOCREATEDB PASSWORD '"
              + PASSWORD
              + "'; END IF; END $$");
      s.execute("ALTER DATABASE " + database + " OWNER TO " + ROLE);
      Path hba;
      try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
        rs.next();
        hba = Path.of(rs.getString(1));
      }
      String rule = "host all " + ROLE + " all scram-sha-256\n";
      String current = Files.readString(hba);
      if (!current.startsWith(rule)) {
        Files.writeString(hba, rule + current);
      }
      s.execute("SELECT pg_reload_conf()");
    }
    // the postmaster reloads on SIGHUP, asynchronously: wait until it refuses a wrong password
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Connection ignored = DriverManager.getConnection(roleUrl("not-the-password"))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the server still accepts a wrong password for " + ROLE);
        }
        Thread.sleep(100);
      } catch (SQLException refused) {
        assertThat(refused.getMessage()).contains("password authentication failed");
        break;
      }
    }
  }

  private static String roleUrl(String password) {
    return "jdbc:postgresql://localhost:"
        + port
        + "/"
        + database
        + "?user="
        + ROLE
        + "&password="
        + password;
  }

  @Test
  void anUnresolvableHost() throws Exception {
    Path p =
        pipeline(
            "jdbc:postgresql://nosuchhost.invalid:5432/dw?user=loader&password=${env:PGPASSWORD}",
            "");
    String error = assertNoLeak(p, WRONG, "run");
    assertThat(error)
        .contains(
            "jdbc:postgresql://nosuchhost.invalid:5432/dw?user=loader&password=***",
            "(unknown host nosuchhost.invalid)");
  }

  @Test
  void aUrlTheDriverCannotParse() throws Exception {
    // pgjdbc's "No suitable driver found for <the whole URL>", which was also retried as a
    // connection error
    Path p =
        pipeline("jdbc:postgresql://localhost:54x32/dw?user=loader&password=${env:PGPASSWORD}", "");
    assertThat(assertNoLeak(p, WRONG, "run"))
        .isEqualTo(
            "idem: cannot open jdbc:postgresql://localhost:54x32/dw?user=loader&password=***:"
                + " the PostgreSQL driver cannot parse this URL: expected jdbc:postgresql://host[:port]/database[?property=value&...]");
  }

  @Test
  void aClosedPort() throws Exception {
    Path p =
        pipeline("jdbc:postgresql://localhost:1/dw?user=loader", "  password: ${env:PGPASSWORD}");
    String error = assertNoLeak(p, WRONG, "run");
    assertThat(error).contains("localhost:1/dw");
  }

  @Test
  void aWrongPassword() throws Exception {
    Path p =
        pipeline(
            "jdbc:postgresql://localhost:"
                + port
                + "/"
                + database
                + "?user="
                + ROLE
                + "&password=${env:PGPASSWORD}",
            "");
    String error = assertNoLeak(p, WRONG, "run");
    assertThat(error)
        .contains("localhost:" + port + "/" + database, "password authentication failed", ROLE);
    Path asProperty =
        pipeline(
            "jdbc:postgresql://localhost:" + port + "/" + database,
            "  user: " + ROLE + "\n  password: ${env:PGPASSWORD}");
    assertThat(assertNoLeak(asProperty, WRONG, "status"))
        .contains("password authentication failed");
  }

  @Test
  void anUnknownRole() throws Exception {
    Path p =
        pipeline(
            "jdbc:postgresql://localhost:"
                + port
                + "/"
                + database
                + "?user=no_such_role&password=${env:PGPASSWORD}",
            "");
    String error = assertNoLeak(p, WRONG, "run");
    assertThat(error).contains(database, "no_such_role");
  }

  @Test
  void anUnknownDriver() throws Exception {
    Path p =
        pipeline(
            "jdbc:nosuchdb://db.example:5432/dw?user=loader&password=${env:PGPASSWORD}",
            "  password: ${env:PGPASSWORD}");
    String error = assertNoLeak(p, WRONG, "run");
    assertThat(error).contains("jdbc:nosuchdb://db.example:5432/dw");
  }

  @Test
  void aPasswordInTheUserInfo() throws Exception {
    // pgjdbc would take "loader:<password>@nosuchhost.invalid" for the host: a DNS query and an
    // error carrying the password
    Path postgres =
        pipeline("jdbc:postgresql://loader:${env:PGPASSWORD}@nosuchhost.invalid:5432/dw", "");
    assertThat(assertNoLeak(postgres, WRONG, "run"))
        .isEqualTo(
            "idem: cannot open jdbc:postgresql://***@nosuchhost.invalid:5432/dw:"
                + " the PostgreSQL driver does not read user:password@ in the URL; give user and password as connection properties"
                + " (password: ${env:PGPASSWORD}) or as ?user=...&password=...");
    Path unknown = pipeline("jdbc:nosuchdb://loader:${env:PGPASSWORD}@db.example/dw", "");
    assertThat(assertNoLeak(unknown, WRONG, "run")).contains("db.example/dw");
  }

  @Test
  void aPipelineThatConnectsThenFailsAWindow() throws Exception {
    Path p =
        pipeline(
            "jdbc:postgresql://localhost:"
                + port
                + "/"
                + database
                + "?user="
                + ROLE
                + "&password=${env:PGPASSWORD}",
            "");
    // day 1 holds a bad amount: dead-lettered, and the window fails (max_bad_records is 0)
    Files.writeString(
        dir.resolve("data/orders.csv"),
        "order_id,customer,amount,ingested_at\n"
            + "1,ada,10.00,2024-03-01 08:00:00\n2,bob,abc,2024-03-01 09:00:00\n4,dee,3.00,2024-03-02 08:00:00\n");
    String error = assertNoLeak(p, PASSWORD, "run");
    assertThat(error).contains("2024-03-01", "max_bad_records");

    // the ledger and the dead letters as the CLI shows them
    Cli.Result status =
        Cli.run(Map.of("PGPASSWORD", PASSWORD), "status", p.toString(), "--output", "json");
    assertThat(status.exit()).as(status.err()).isZero();
    JsonNode windows = JSON.readTree(status.out()).get("windows");
    assertThat(windows).extracting(w -> w.get("status").asText()).containsExactly("failed", "done");
    assertThat(status.out() + status.err()).doesNotContain(PASSWORD);
    Cli.Result letters =
        Cli.run(Map.of("PGPASSWORD", PASSWORD), "dlq", "list", p.toString(), "--output", "json");
    // one letter per failed attempt: assertNoLeak ran the window four times
    assertThat(JSON.readTree(letters.out()).get("dead_letters"))
        .isNotEmpty()
        .allSatisfy(l -> assertThat(l.get("position").asText()).isEqualTo("data/orders.csv:3"));
    assertThat(letters.out() + letters.err()).doesNotContain(PASSWORD);

    // and as SQL reads them, every column of every row
    List<String> ledger = rows("SELECT w::text FROM _idem.windows w");
    assertThat(ledger).hasSize(2).anySatisfy(row -> assertThat(row).contains("max_bad_records"));
    assertThat(rows("SELECT d::text FROM _idem.dead_letters d"))
        .isNotEmpty()
        .allSatisfy(row -> assertThat(row).contains("abc"));
    assertThat(
            String.join("\n", ledger)
                + rows("SELECT d::text FROM _idem.dead_letters d")
                + rows("SELECT c::text FROM _idem.checks c"))
        .doesNotContain(PASSWORD);

    // verify needs a scratch database, which this role (NOCREATEDB) may not create
    Cli.Result verify =
        Cli.run(Map.of("PGPASSWORD", PASSWORD), "verify", p.toString(), "--verbose");
    assertThat(verify.exit()).isEqualTo(ExitCode.FAILED);
    assertThat(verify.err().lines().findFirst().orElseThrow())
        .contains("permission denied to create database", database);
    assertThat(verify.out() + verify.err()).doesNotContain(PASSWORD);
  }

  /**
   * The library alone, without the CLI's redactor: no message or stack trace of a failed open holds
   * the secret.
   */
  @Test
  void theLibraryMasksWithoutTheCli() {
    RunServices fast =
        RunServices.defaults()
            .withRetry(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1)));
    Properties password = new Properties();
    password.setProperty("password", WRONG);
    for (String url :
        List.of(
            "jdbc:nosuchdb://loader:" + WRONG + "@db.example/dw?password=" + WRONG,
            "jdbc:postgresql://loader:" + WRONG + "@nosuchhost.invalid:5432/dw",
            "jdbc:postgresql://localhost:54x32/dw?user=loader&password=" + WRONG,
            "jdbc:postgresql://nosuchhost.invalid:5432/dw?user=loader&password=" + WRONG,
            roleUrl(WRONG))) {
      Throwable thrown =
          Assertions.catchThrowable(
              () -> JdbcDestination.open(url, password, fast, Duration.ZERO).close());
      assertThat(thrown).as(url).isInstanceOf(IdemException.class);
      StringWriter trace = new StringWriter();
      thrown.printStackTrace(new PrintWriter(trace));
      assertThat(thrown.getMessage())
          .as(url)
          .doesNotContain(WRONG)
          .containsAnyOf("/dw", "/" + database);
      assertThat(trace.toString()).as(url).doesNotContain(WRONG);
    }
  }

  /**
   * Runs {@code command} on the pipeline every way a user can (text, JSON, verbose, in process with
   * System.out/err captured, and in a child JVM at info level) with {@code PGPASSWORD=secret};
   * asserts it failed, the secret is nowhere, and the error is one line. Returns that line.
   */
  private String assertNoLeak(Path pipeline, String secret, String command) throws Exception {
    Map<String, String> env = Map.of("PGPASSWORD", secret);
    String firstLine = null;
    for (List<String> options :
        List.of(List.<String>of(), List.of("--output", "json"), List.of("--verbose"))) {
      List<String> args = new ArrayList<>(List.of(command, pipeline.toString()));
      args.addAll(options);
      ByteArrayOutputStream console = new ByteArrayOutputStream();
      PrintStream oldOut = System.out;
      PrintStream oldErr = System.err;
      Cli.Result r;
      try (PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8)) {
        System.setOut(capture);
        System.setErr(capture);
        r = Cli.run(env, args.toArray(String[]::new));
      } finally {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
      assertThat(r.exit()).as(r.out() + r.err()).isNotZero();
      String all = r.out() + r.err() + console.toString(StandardCharsets.UTF_8);
      assertThat(all).as("idem %s", String.join(" ", args)).doesNotContain(secret);
      if (options.isEmpty()) {
        if (r.errors().isBlank()) {
          firstLine = r.out(); // windows failed: one line each on stdout
        } else {
          assertThat(r.errors().strip().lines()).as(r.err()).hasSize(1);
          firstLine = r.errors().strip();
        }
      }
    }
    Child child = child(env, command, pipeline.toString(), "--verbose");
    assertThat(child.exit()).isNotZero();
    assertThat(child.out() + child.err()).as("child JVM").doesNotContain(secret);
    if (firstLine.startsWith("idem: ")) {
      assertThat(child.err()).contains("at dev.idem."); // the stack trace was printed, and checked
    }
    return firstLine;
  }

  private Path pipeline(String url, String destinationProperties) throws Exception {
    Files.createDirectories(dir.resolve("data"));
    Path data = dir.resolve("data/orders.csv");
    if (!Files.exists(data)) {
      Files.writeString(
          data, "order_id,customer,amount,ingested_at\n1,ada,10.00,2024-03-01 08:00:00\n");
    }
    Path p = Files.createTempFile(dir, "pipeline", ".yaml");
    Files.writeString(
        p, OrdersPipeline.yaml("secrets", "data/*.csv", null, url, destinationProperties));
    return p;
  }

  private static List<String> rows(String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }

  private record Child(int exit, String out, String err) {}

  /**
   * The real command line in a child JVM with this environment: slf4j at info (--verbose), real
   * stderr.
   */
  private Child child(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = ChildIdem.command(List.of(), args);
    Path out = Files.createTempFile(dir, "child", ".out");
    Path err = Files.createTempFile(dir, "child", ".err");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().putAll(env);
    Process process = pb.start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("idem " + String.join(" ", args) + " did not finish in 120 s");
    }
    return new Child(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
