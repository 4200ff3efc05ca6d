/** The heartbeat receiver's environment (lib/control-plane/heartbeat-receiver.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { custom, string } from '../config/schema';
import { parseHeartbeatQueues } from './app';

const QUEUES = 'a JSON object of heartbeat queue name to data plane id';

export const HEARTBEAT_RECEIVER_ENVIRONMENT = defineFunctionEnvironment('heartbeat-receiver', {
  CONTROL_PLANE_TABLE_NAME: string(),
  /** The data plane a report is about is the queue it came through. */
  HEARTBEAT_QUEUES: custom(
    QUEUES,
    JSON.stringify({ 'waggle-example-heartbeats': 'example' }),
    (text, name) => {
      try {
        return parseHeartbeatQueues(text);
      } catch (error) {
        // parseHeartbeatQueues names the variable itself, except for text that is not JSON at all.
        const { message } = error as Error;
        throw message.startsWith(name) ? error : new Error(`${name} must be ${QUEUES}: ${message}`);
      }
    },
  ),
});

export const readHeartbeatReceiverEnvironment = HEARTBEAT_RECEIVER_ENVIRONMENT.read;
export const environmentForHeartbeatReceiver = HEARTBEAT_RECEIVER_ENVIRONMENT.environmentFor;
