import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for a chat or alerting webhook, for examples/notify: it prints each
 * notification it receives, and, like Stripe, answers a repeated Idempotency-Key with the first
 * response without a second effect. Run it with the JDK alone (no build):
 *
 * <pre>java examples/notify/HookStub.java 8787</pre>
 */
public final class HookStub {
  private HookStub() {}

  /** Starts the stub on 127.0.0.1:{@code port} (0: any free port); effects are counted. */
  public static HttpServer start(int port, PrintStream out, AtomicInteger effects)
      throws IOException {
    Map<String, String> keys = new ConcurrentHashMap<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    server.createContext(
        "/hooks",
        x -> {
          try (x) {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String key = x.getRequestHeaders().getFirst("Idempotency-Key");
            String reply = "{\"ok\":true}";
            if (key != null && keys.putIfAbsent(key, reply) != null) {
              out.println("hook: repeat of key " + key.substring(0, 12) + "…, no new effect");
            } else {
              out.println("hook #" + effects.incrementAndGet() + ": " + body);
            }
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, bytes.length);
            try (OutputStream o = x.getResponseBody()) {
              o.write(bytes);
            }
          }
        });
    server.start();
    return server;
  }

  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8787;
    HttpServer server = start(port, System.out, new AtomicInteger());
    System.out.println(
        "listening on http://127.0.0.1:" + server.getAddress().getPort() + "/hooks (Ctrl-C stops)");
  }
}
