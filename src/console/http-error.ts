/** An error the API answers with `statusCode` and its message (the console's error handler formats it). */
export class HttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

/** Throws an HttpError: for use in expressions (`value ?? httpError(404, ...)`). */
export function httpError(statusCode: number, message: string): never {
  throw new HttpError(statusCode, message);
}
