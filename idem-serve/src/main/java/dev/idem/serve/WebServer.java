package dev.idem.serve;

import dev.idem.context.RunServices;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code idem serve}: a read-only web page of the served pipelines' windows. Only GET requests,
 * besides the two actions of {@code --allow-actions} ({@link ActionRoutes}, POST with a token);
 * each page opens the destinations it shows read-only and closes them before it answers; no request
 * can run SQL of its own; a request naming a host this server does not answer to is refused (DNS
 * rebinding). Start with {@link #start}, stop with {@link #close}.
 */
public final class WebServer implements AutoCloseable {
  /** The page's own files only; no inline script or style, no frames, no other site. */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self';"
          + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private final Map<String, ServedPipeline> pipelines = new LinkedHashMap<>();
  private final ServeSettings settings;
  private final Pages pages;
  private final Api api;
  private final SpotCheck spotCheck;
  private final InputCheck inputCheck = new InputCheck();
  private final ActionRoutes actions;
  private Javalin app;

  public WebServer(List<ServedPipeline> served, ServeSettings settings) {
    for (ServedPipeline p : served) {
      String name = p.name();
      for (int n = 2; pipelines.containsKey(name); n++) {
        name = p.name() + "~" + n;
      }
      pipelines.put(
          name,
          p.readable()
              ? new ServedPipeline(p.file(), name, p.pipeline(), p.destination(), null)
              : ServedPipeline.broken(p.file(), name, p.problem()));
    }
    this.settings = settings;
    this.pages = new Pages(settings);
    this.api = new Api(settings);
    this.spotCheck = new SpotCheck(settings.checkTimeout());
    this.actions = new ActionRoutes(settings.actions(), this::served);
  }

  /** Starts listening on the settings' address and port; returns this. */
  public WebServer start() {
    app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.jetty.host = settings.bind();
              config.jetty.port = settings.port();
              config.routes.before(this::guard);
              config.routes.get("/", ctx -> html(ctx, pages.overview(views())));
              config.routes.get(
                  "/pipelines/{name}",
                  ctx -> {
                    Inspection.View v = view(ctx);
                    html(ctx, pages.pipeline(v, gridInput(v)));
                  });
              config.routes.get(
                  "/pipelines/{name}/window",
                  ctx -> {
                    Inspection.WindowView w = windowView(ctx);
                    html(ctx, pages.window(w, windowInput(w), actionForms(w)));
                  });
              config.routes.get(
                  "/pipelines/{name}/check",
                  ctx -> html(ctx, pages.spotCheck(served(ctx), check(ctx))));
              config.routes.get("/api/pipelines", ctx -> json(ctx, api.overview(views())));
              config.routes.get(
                  "/api/pipelines/{name}",
                  ctx -> {
                    Inspection.View v = view(ctx);
                    json(ctx, api.pipeline(v, gridInput(v)));
                  });
              config.routes.get(
                  "/api/pipelines/{name}/window",
                  ctx -> {
                    Inspection.WindowView w = windowView(ctx);
                    json(ctx, api.window(w, windowInput(w)));
                  });
              config.routes.get(
                  "/api/pipelines/{name}/check",
                  ctx -> json(ctx, api.spotCheck(served(ctx), check(ctx))));
              config.routes.get(
                  "/metrics",
                  ctx -> {
                    ctx.contentType(Metrics.CONTENT_TYPE);
                    ctx.result(Metrics.text(views()));
                  });
              config.routes.post("/pipelines/{name}/actions/rerun", actions::rerun);
              config.routes.post("/pipelines/{name}/actions/replay", actions::replay);
              config.routes.get("/static/serve.css", ctx -> resource(ctx, "serve.css", "text/css"));
              config.routes.get(
                  "/static/serve.js", ctx -> resource(ctx, "serve.js", "text/javascript"));
              config.routes.exception(
                  UnknownPipeline.class,
                  (e, ctx) -> {
                    ctx.status(HttpStatus.NOT_FOUND);
                    ctx.html(Html.page("not found").message(e.getMessage()).end());
                  });
              config.routes.exception(
                  Exception.class,
                  // the page's last guard: a one-line message, never a stack trace
                  (e, ctx) -> {
                    ctx.status(HttpStatus.INTERNAL_SERVER_ERROR);
                    ctx.contentType("text/plain; charset=utf-8");
                    ctx.result("idem serve could not answer: " + Inspection.oneLine(e));
                  });
            });
    app.start();
    return this;
  }

  /** The port listened on (the one chosen when the settings asked for 0). */
  public int port() {
    return app.port();
  }

  /** The address to open in a browser. */
  public String address() {
    String host = settings.bind();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/";
  }

  private void guard(Context ctx) {
    String host = ctx.header("Host");
    if (!settings.allows(host)) {
      ctx.status(HttpStatus.FORBIDDEN);
      ctx.contentType("text/plain; charset=utf-8");
      ctx.result(
          "refused: this server answers to "
              + String.join(", ", new java.util.TreeSet<>(settings.allowedHosts()))
              + ", not to Host "
              + (host == null ? "(none)" : "'" + host + "'")
              + " (idem serve --allow-host adds a name)");
      ctx.skipRemainingHandlers();
      return;
    }
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with a form's
    // POST, and the actions check the Origin
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("Cache-Control", "no-store");
  }

  private RunServices services() {
    return settings.services().get();
  }

  private List<Inspection.View> views() {
    List<Inspection.View> views = new ArrayList<>();
    for (ServedPipeline p : pipelines.values()) {
      views.add(Inspection.read(p, services()));
    }
    return views;
  }

  private ServedPipeline served(Context ctx) {
    String name = ctx.pathParam("name");
    ServedPipeline p = pipelines.get(name);
    if (p == null) {
      throw new UnknownPipeline("no pipeline named " + name + " is served here");
    }
    return p;
  }

  private Inspection.View view(Context ctx) {
    return Inspection.read(served(ctx), services());
  }

  private Inspection.WindowView windowView(Context ctx) {
    String id = ctx.queryParam("id");
    if (id == null || id.isEmpty()) {
      throw new UnknownPipeline("which window? add ?id=WINDOW");
    }
    return Inspection.window(served(ctx), id, services());
  }

  /** The stale-input marker for a grid: every done window, within the grid's time limit. */
  private InputCheck.Outcome gridInput(Inspection.View v) {
    return inputCheck.check(v.served(), v.states(), settings.gridInputTimeout());
  }

  /** The stale-input marker for one window, within the spot-check's time limit. */
  private InputCheck.Outcome windowInput(Inspection.WindowView w) {
    return w.state() == null
        ? InputCheck.Outcome.NONE
        : inputCheck.check(w.pipeline().served(), List.of(w.state()), settings.checkTimeout());
  }

  private String actionForms(Inspection.WindowView w) {
    return w.state() == null
        ? ""
        : actions.forms(
            w.pipeline().served(),
            w.state().windowId(),
            w.letters().stream().anyMatch(l -> !l.replayed()));
  }

  private SpotCheck.Outcome check(Context ctx) {
    return spotCheck.run(served(ctx), services());
  }

  private static void html(Context ctx, String page) {
    ctx.html(page);
  }

  private static void json(Context ctx, String doc) {
    ctx.contentType("application/json; charset=utf-8");
    ctx.result(doc);
  }

  private static void resource(Context ctx, String name, String type) {
    try (InputStream in = WebServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      ctx.contentType(type + "; charset=utf-8");
      ctx.result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    spotCheck.close();
    inputCheck.close();
    if (app != null) {
      app.stop();
    }
  }

  /** A request naming a pipeline or window this server does not serve: a 404 page. */
  static final class UnknownPipeline extends RuntimeException {
    UnknownPipeline(String message) {
      super(message);
    }
  }
}
