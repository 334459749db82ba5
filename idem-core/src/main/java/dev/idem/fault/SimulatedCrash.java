package dev.idem.fault;

/**
 * An in-process crash: an Error so that no {@code catch (Exception)} handles it. The runner
 * abandons the open transaction without rollback and stops at once, as a killed process would.
 */
public class SimulatedCrash extends Error {
  public SimulatedCrash(FaultPoint point, String window) {
    super("simulated crash at " + point + " in window " + window);
  }
}
