package dev.idem.pipeline;

/**
 * What a value that cannot be typed as its column's type costs: the whole record, dead-lettered
 * (the default), or only the value, loaded as NULL and recorded in the destination's nulled values.
 * A key column, a column declared not null and the window column dead-letter the record whatever
 * the policy.
 */
public enum OnBadValue {
  DEAD_LETTER("dead_letter"),
  NULL("null");

  private final String spelling;

  OnBadValue(String spelling) {
    this.spelling = spelling;
  }

  /** As written in a pipeline file. */
  public String spelling() {
    return spelling;
  }
}
