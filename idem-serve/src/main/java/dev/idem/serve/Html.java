package dev.idem.serve;

/**
 * Builds a page's HTML: every piece of text from a ledger, a pipeline file or an input goes through
 * {@link #text}, so input holding markup shows as text and never runs. Styles and the one script
 * are served as files (the page's Content-Security-Policy forbids inline ones).
 */
final class Html {
  private final StringBuilder out = new StringBuilder(4096);

  /** A page with its title, the navigation path and the stylesheet. */
  static Html page(String title) {
    Html h = new Html();
    h.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .raw("<title>")
        .text(title)
        .raw(" · idem</title><link rel=\"stylesheet\" href=\"/static/serve.css\">")
        .raw("<script src=\"/static/serve.js\" defer></script></head><body>")
        .raw("<header><nav aria-label=\"breadcrumb\"><a href=\"/\">idem</a></nav></header>")
        .raw("<main>");
    return h;
  }

  /** Escapes text for an element's content or a quoted attribute. */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        case '\0' -> b.append('\uFFFD');
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A path segment or query value, percent-encoded. */
  static String url(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  Html raw(String html) {
    out.append(html);
    return this;
  }

  Html text(Object text) {
    out.append(escape(text == null ? "" : text.toString()));
    return this;
  }

  /** An element holding text: {@code tag} may carry attributes ({@code td class="n"}). */
  Html el(String tag, Object text) {
    int space = tag.indexOf(' ');
    String name = space < 0 ? tag : tag.substring(0, space);
    return raw("<" + tag + ">").text(text).raw("</" + name + ">");
  }

  Html link(String href, Object text) {
    return raw("<a href=\"").raw(escape(href)).raw("\">").text(text).raw("</a>");
  }

  /** A one-line message in a box: problems of a destination or a pipeline file. */
  Html message(String text) {
    return raw("<p class=\"message\" role=\"status\">").text(text).raw("</p>");
  }

  /** A table's header row; a header starting with {@code >} is right-aligned (numbers). */
  Html tableHead(String caption, String... headers) {
    raw("<table><caption>").text(caption).raw("</caption><thead><tr>");
    for (String h : headers) {
      boolean right = h.startsWith(">");
      raw(right ? "<th scope=\"col\" class=\"n\">" : "<th scope=\"col\">")
          .text(right ? h.substring(1) : h)
          .raw("</th>");
    }
    return raw("</tr></thead><tbody>");
  }

  Html row(Object... cells) {
    raw("<tr>");
    for (Object c : cells) {
      if (c instanceof Number) {
        el("td class=\"n\"", c);
      } else {
        el("td", c);
      }
    }
    return raw("</tr>");
  }

  Html tableEnd() {
    return raw("</tbody></table>");
  }

  String end() {
    return out.append("</main></body></html>").toString();
  }
}
