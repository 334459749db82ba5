package dev.idem.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * One request and its response over the JDK's HTTP client, classified by what idem does next. A
 * timeout or a reset is an {@link IOException}: the outcome is unknown; a connection never made is
 * a request not sent.
 */
final class Exchange {
  /** What a response means for the request. */
  enum Verdict {
    /** 2xx: the effect happened; acknowledged. */
    ACKNOWLEDGED,
    /** 409: the key is being processed; ask again later with the same key. */
    IN_FLIGHT,
    /** 429, 503: not processed; send again after {@code Retry-After}. */
    NOT_NOW,
    /** Another 5xx: the effect may or may not have happened. */
    UNKNOWN,
    /** 422 and every other 4xx: refused; a dead letter with the response. */
    REFUSED
  }

  record Response(int status, String body, Optional<Duration> retryAfter) {
    Verdict verdict() {
      if (status >= 200 && status < 300) {
        return Verdict.ACKNOWLEDGED;
      }
      if (status == 409) {
        return Verdict.IN_FLIGHT;
      }
      if (status == 429 || status == 503) {
        return Verdict.NOT_NOW;
      }
      if (status >= 500 || status < 200) {
        return Verdict.UNKNOWN;
      }
      return status >= 300 && status < 400 ? Verdict.UNKNOWN : Verdict.REFUSED;
    }
  }

  private final HttpClient client;
  private final Duration timeout;

  Exchange(HttpClient client, Duration timeout) {
    this.client = client;
    this.timeout = timeout;
  }

  /**
   * The request as the JDK's client sends it; an {@link IllegalArgumentException} when it cannot be
   * built (a URL that is not one, a header the client refuses): checked for every row before
   * anything is recorded ({@code HttpWindowWrite}), so such a row is refused, never sent.
   */
  HttpRequest build(RequestSpec.Rendered r, Map<String, String> extraHeaders) {
    HttpRequest.BodyPublisher body =
        r.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(r.body());
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(r.url())).timeout(timeout).method(r.method(), body);
    boolean contentType = false;
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      b.header(h.getKey(), h.getValue());
      contentType |= h.getKey().equalsIgnoreCase("Content-Type");
    }
    extraHeaders.forEach(b::header);
    if (!contentType && r.mediaType() != null) {
      b.header("Content-Type", r.mediaType());
    }
    return b.build();
  }

  /**
   * Sends a request {@link #build} made. An {@link IOException} is an unknown outcome, but for a
   * {@link ConnectException} or {@link HttpConnectTimeoutException}: no connection, so nothing was
   * sent.
   */
  Response send(HttpRequest request, Instant now) throws IOException, InterruptedException {
    HttpResponse<String> resp = client.send(request, HttpResponse.BodyHandlers.ofString());
    return new Response(
        resp.statusCode(),
        cap(resp.body()),
        resp.headers().firstValue("Retry-After").flatMap(v -> retryAfter(v, now)));
  }

  static String cap(String body) {
    if (body == null) {
      return "";
    }
    return body.length() > HttpConfig.RESPONSE_CAP
        ? body.substring(0, HttpConfig.RESPONSE_CAP) + "…(cut)"
        : body;
  }

  /** {@code Retry-After} in seconds or as an HTTP date; empty when unreadable. */
  static Optional<Duration> retryAfter(String value, Instant now) {
    String v = value.strip();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
      } catch (DateTimeParseException unreadable) {
        return Optional.empty();
      }
    }
  }
}
