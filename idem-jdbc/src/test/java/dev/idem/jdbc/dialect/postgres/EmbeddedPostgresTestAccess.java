package dev.idem.jdbc.dialect.postgres;

/** Lets tests of other packages get a fresh database on the shared embedded server. */
public final class EmbeddedPostgresTestAccess {
  private EmbeddedPostgresTestAccess() {}

  public static String newDatabase() {
    return EmbeddedPostgresServer.newDatabase();
  }
}
