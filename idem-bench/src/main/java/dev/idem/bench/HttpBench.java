package dev.idem.bench;

import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConnectorContext;
import dev.idem.connector.Secrets;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.http.HttpDestinationFactory;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.http.ApiServer;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 17, item 6: requests per second to the in-process API server with Stripe's key semantics,
 * which adds {@code latency} to every request, at concurrency 8:
 *
 * <ul>
 *   <li>h0: the limit, a plain loop of the JDK {@code HttpClient} on 8 threads, each request with
 *       its {@code Idempotency-Key}; no ledger;
 *   <li>h1: idem's HTTP destination through the real {@link Runner}, {@code concurrency: 8}, its
 *       sent-request ledger in a DuckDB file (one day window of {@code requests} rows);
 *   <li>h1-0: the same at no server latency: what is left is the ledger's cost per request.
 * </ul>
 *
 * <pre>java -jar idem-bench/target/idem-bench-*-all.jar http [requests] [latency-ms]</pre>
 */
final class HttpBench {
  private static final int CONCURRENCY = 8;
  private static final Schema ROWS =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("user", DataType.STRING),
          Column.of("at", DataType.TIMESTAMP));

  private HttpBench() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    Duration latency = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 20);
    Path work = Files.createTempDirectory("idem-http-bench");
    System.out.printf(
        "http: %d requests, concurrency %d, server latency %d ms%n",
        requests, CONCURRENCY, latency.toMillis());
    double plain = plain(requests, latency);
    System.out.printf("h0 plain HttpClient loop: %.0f requests/s%n", plain);
    double idem = idem(work.resolve("h1.duckdb"), requests, latency);
    System.out.printf("h1 idem http destination: %.0f requests/s (%.2fx h0)%n", idem, idem / plain);
    double idem0 = idem(work.resolve("h10.duckdb"), requests, Duration.ZERO);
    double plain0 = plain(requests, Duration.ZERO);
    System.out.printf(
        "h1-0 at no latency: idem %.0f requests/s, plain %.0f requests/s: the ledger costs %.2f ms"
            + " of wall per request at concurrency %d%n",
        idem0, plain0, 1000 / idem0 - 1000 / plain0, CONCURRENCY);
  }

  /** h0: {@code requests} POSTs on {@value #CONCURRENCY} threads; requests per second. */
  private static double plain(int requests, Duration latency) throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2))) {
      api.latency(latency);
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .build();
      AtomicInteger next = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
      long start = System.nanoTime();
      try {
        List<Future<Object>> done =
            pool.invokeAll(
                java.util.Collections.nCopies(
                    CONCURRENCY,
                    () -> {
                      for (int i = next.getAndIncrement();
                          i < requests;
                          i = next.getAndIncrement()) {
                        HttpRequest r =
                            HttpRequest.newBuilder(URI.create(api.url()))
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/json")
                                .header("Idempotency-Key", "plain-" + i)
                                .POST(
                                    HttpRequest.BodyPublishers.ofString(
                                        "{\"id\":\"" + i + "\",\"text\":\"hello u" + i + "\"}"))
                                .build();
                        HttpResponse<String> resp =
                            client.send(r, HttpResponse.BodyHandlers.ofString());
                        if (resp.statusCode() / 100 != 2) {
                          throw new IllegalStateException("HTTP " + resp.statusCode());
                        }
                      }
                      return null;
                    }));
        for (Future<Object> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      check(api, requests);
      return requests / seconds;
    }
  }

  /** h1: one window of {@code requests} rows through the HTTP destination; requests per second. */
  private static double idem(Path ledger, int requests, Duration latency) throws Exception {
    try (ApiServer api = new ApiServer(ApiServer.Kind.KEYED, Duration.ofSeconds(2))) {
      api.latency(latency);
      ListSource source = new ListSource(ROWS);
      for (long id = 0; id < requests; id++) {
        source.add(id, "u" + id, LocalDateTime.of(2024, 5, 1, 10, 0));
      }
      Pipeline p =
          Pipeline.builder("bench-http")
              .source(source)
              .windows(WindowSpec.day("at", ZoneOffset.UTC))
              .table("sent")
              .key(KeySpec.columns("id"))
              .orderBy("at")
              .strategy(WriteStrategy.MERGE)
              .build();
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("type", "http");
      s.put(
          "request",
          Map.of("url", api.url(), "body", Map.of("id", "{{id}}", "text", "hello {{user}}")));
      s.put(
          "idempotency", Map.of("header", "Idempotency-Key", "key", Map.of("hash", List.of("id"))));
      s.put("concurrency", CONCURRENCY);
      s.put("timeout", "10s");
      s.put("ledger", "jdbc:duckdb:" + ledger);
      RunServices services = RunServices.defaults();
      var binding =
          new HttpDestinationFactory()
              .bind(
                  ConfigNode.Mapping.of("pipeline.yaml", s),
                  new ConnectorContext(ledger.getParent(), "bench-http", n -> null, new Secrets()));
      try (Destination d = binding.open(services, Duration.ofSeconds(5))) {
        d.prepare(p);
        long start = System.nanoTime();
        RunReport r =
            new Runner(d, services)
                .run(p, source.windows(p.windows()), RunOptions.defaults("bench"));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!r.ok()) {
          throw new IllegalStateException("idem run failed: " + r.outcomes());
        }
        check(api, requests);
        return requests / seconds;
      }
    }
  }

  private static void check(ApiServer api, int requests) {
    if (api.effects().size() != requests || api.requests() != requests) {
      throw new IllegalStateException(
          "expected one effect per request: "
              + api.effects().size()
              + " effects, "
              + api.requests()
              + " requests, of "
              + requests);
    }
  }
}
