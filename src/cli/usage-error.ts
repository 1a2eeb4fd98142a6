/** A usage error (an unknown option, a missing or malformed value): printed with the usage line, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
