package dev.idem.testkit.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP API in process, counting effects by the {@code "id"} of each body. {@link Kind#KEYED}
 * has Stripe's key semantics: it stores each {@code Idempotency-Key} with the first response and
 * returns that response for a repeat, answers 409 while the first request with the key is in
 * flight, and 422 when the key comes back with another payload. {@link Kind#KEYLESS} has no keys:
 * every request that reaches the effect is one more effect; {@code GET /api/ID} answers 200 when
 * the effect of ID happened, 404 when not. Faults are injected by request number.
 */
public final class ApiServer implements AutoCloseable {
  public enum Kind {
    KEYED,
    KEYLESS
  }

  /** What happens to one request. */
  public enum Fault {
    NONE,
    /** The effect happens, then the response is lost: sent only after the client gave up. */
    LOSE_RESPONSE,
    /** 500 before the effect. */
    FAIL_500,
    /** The response is late past the client's timeout, and the effect happens after it. */
    SLOW,
    /** 429 with Retry-After: 0, no effect. */
    TOO_MANY
  }

  private static final Pattern ID = Pattern.compile("\"id\":\"?([\\w-]+)");

  private record Stored(String payload, int status, String body) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Kind kind;
  private final Duration late;
  private final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
  private final Map<String, Stored> keys = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final Queue<String> received = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile IntFunction<Fault> faults = n -> Fault.NONE;
  private volatile Duration latency = Duration.ZERO;

  /** {@code late}: how long a lost or slow response waits (past the client's timeout). */
  public ApiServer(Kind kind, Duration late) throws IOException {
    this.kind = kind;
    this.late = late;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext("/api", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
  }

  public void faults(IntFunction<Fault> byRequestNumber) {
    this.faults = byRequestNumber;
  }

  public void latency(Duration latency) {
    this.latency = latency;
  }

  /** Effects by id. */
  public Map<String, Integer> effects() {
    Map<String, Integer> out = new TreeMap<>();
    effects.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  public int requests() {
    return requests.get();
  }

  /**
   * Every request received, lookups too, in arrival order: its method, its path and query as sent
   * (percent-encoded), and its {@code Content-Type} (or {@code -}).
   */
  public List<String> received() {
    return List.copyOf(received);
  }

  /** The most requests (other than lookups) it was handling at once. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String query = x.getRequestURI().getRawQuery();
      String type = x.getRequestHeaders().getFirst("Content-Type");
      received.add(
          x.getRequestMethod()
              + " "
              + x.getRequestURI().getRawPath()
              + (query == null ? "" : "?" + query)
              + " "
              + (type == null ? "-" : type));
      if (x.getRequestMethod().equals("GET")) {
        String id = x.getRequestURI().getPath().replaceFirst("^/api/?", "");
        respond(x, effects.containsKey(id) ? 200 : 404, "{\"id\":\"" + id + "\"}");
        return;
      }
      int n = requests.incrementAndGet();
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        post(x, body, faults.apply(n));
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  private void post(HttpExchange x, String body, Fault fault) throws IOException {
    sleep(latency);
    if (fault == Fault.TOO_MANY) {
      x.getResponseHeaders().add("Retry-After", "0");
      respond(x, 429, "{\"error\":\"slow down\"}");
      return;
    }
    String key = x.getRequestHeaders().getFirst("Idempotency-Key");
    if (kind == Kind.KEYED) {
      if (key == null) {
        respond(x, 400, "{\"error\":\"no Idempotency-Key\"}");
        return;
      }
      Stored s = keys.putIfAbsent(key, new Stored(body, 0, null));
      if (s != null) {
        if (!s.payload().equals(body)) {
          respond(x, 422, "{\"error\":\"key reused with another payload\"}");
        } else if (s.body() == null) {
          respond(x, 409, "{\"error\":\"a request with this key is in progress\"}");
        } else {
          respond(x, s.status(), s.body());
        }
        return;
      }
    }
    if (fault == Fault.FAIL_500) {
      if (key != null) {
        keys.remove(key); // nothing happened: the key is free again
      }
      respond(x, 500, "{\"error\":\"internal\"}");
      return;
    }
    if (fault == Fault.SLOW) {
      sleep(late);
    }
    Matcher m = ID.matcher(body);
    String id = m.find() ? m.group(1) : "?";
    int count = effects.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    String reply = "{\"id\":\"" + id + "\",\"effect\":" + count + "}";
    if (key != null) {
      keys.put(key, new Stored(body, 201, reply));
    }
    if (fault == Fault.LOSE_RESPONSE) {
      sleep(late);
    }
    respond(x, 201, reply);
  }

  private static void respond(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try {
      x.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException gone) {
      // the client gave up (timed out) before the response: what a lost response is
    }
  }

  private static void sleep(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
