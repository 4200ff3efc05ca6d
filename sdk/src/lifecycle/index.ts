export type { AsyncLambdaHandler, CallbackLambdaHandler, LambdaCallback, LambdaFlushOptions } from './lambda';
export { wrapLambdaHandler } from './lambda';
export type { Flushable, ShutdownCapable } from './timeouts';
export { flushWithTimeout, settleWithin, shutdownWithTimeout } from './timeouts';
