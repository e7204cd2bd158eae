/** A configuration that cannot be used: the message names the key, what was found and what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
