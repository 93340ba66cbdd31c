import type { KvError, KvErrorCode } from '../kv/types.js';

/** gRPC status codes, as etcd's JSON gateway reports them in `code`. */
export const GRPC = {
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  FailedPrecondition: 9,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
} as const;

export type GrpcCode = (typeof GRPC)[keyof typeof GRPC];

/** grpc-gateway's mapping from a gRPC code to the HTTP status of the reply. */
export function httpStatusOf(code: GrpcCode): number {
  switch (code) {
    case GRPC.InvalidArgument:
    case GRPC.FailedPrecondition:
    case GRPC.OutOfRange:
      return 400;
    case GRPC.DeadlineExceeded:
      return 504;
    case GRPC.NotFound:
      return 404;
    case GRPC.Unimplemented:
      return 501;
    case GRPC.Unavailable:
      return 503;
    default:
      return 500;
  }
}

/** A request that fails with an etcd-style body: `{"error","message","code"}`. */
export class GatewayError extends Error {
  constructor(
    readonly code: GrpcCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  body(): { error: string; message: string; code: number } {
    return { error: this.message, message: this.message, code: this.code };
  }
}

const KV_ERROR_CODES: Readonly<Record<KvErrorCode, GrpcCode>> = {
  ErrCompacted: GRPC.OutOfRange,
  ErrFutureRev: GRPC.OutOfRange,
  ErrDuplicateKey: GRPC.InvalidArgument,
  ErrEmptyKey: GRPC.InvalidArgument,
  ErrTooManyOps: GRPC.InvalidArgument,
  ErrLeaseNotFound: GRPC.NotFound,
  ErrLeaseExist: GRPC.FailedPrecondition,
  ErrLeaseTTLTooLarge: GRPC.OutOfRange,
  ErrNotPrimary: GRPC.Unavailable,
  ErrWatcherDuplicateID: GRPC.InvalidArgument,
};

export function fromKvError(error: KvError): GatewayError {
  return new GatewayError(KV_ERROR_CODES[error.code], error.message);
}

/** etcd's own texts for a server that cannot serve the request now. */
export const noLeader = (): GatewayError => new GatewayError(GRPC.Unavailable, 'etcdserver: no leader');
export const requestTimedOut = (): GatewayError => new GatewayError(GRPC.Unavailable, 'etcdserver: request timed out');
export const invalid = (message: string): GatewayError => new GatewayError(GRPC.InvalidArgument, message);
export const unimplemented = (what: string): GatewayError => new GatewayError(GRPC.Unimplemented, `raftsim: ${what} is not supported`);
