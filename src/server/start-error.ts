/** A server cannot start (a port in use, a cluster that does not know it): one line, exit 2. */
export class StartError extends Error {}
