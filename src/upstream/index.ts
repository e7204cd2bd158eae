/** The upstream pool: the forwarder's client side. */
export { UpstreamPool, type UpstreamAnswer, type UpstreamPoolOptions, type UpstreamRequest } from './upstream-pool.js';
export { MalformedAnswer, UpstreamFailure, type UpstreamAttempt } from './upstream-failure.js';
