// The one error for configuration that cannot be used: the stack's (config/parse.ts, every problem
// with its key) and the handlers' environment (handlers/environment.ts). Callers tell it apart from a
// failure of the work itself: a configuration error is fixed by changing settings, not by retrying.

export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";

  /** `problems`: each problem on its own, for callers that list them; the message holds them all. */
  constructor(
    message: string,
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}
