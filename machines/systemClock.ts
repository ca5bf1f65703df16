/**
 * Now, by the actor system's clock: a SimulatedClock in tests (so a condition's `for` and the
 * alerter's group wait and repeat run on simulated time), the real time otherwise.
 */
export function systemNow(system: { _clock: unknown }): number {
  const clock = system._clock as { now?: () => number };
  return typeof clock.now === 'function' ? clock.now() : Date.now();
}
