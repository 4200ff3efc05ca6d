/** The notification sender's environment (lib/control-plane/notifications.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { NOTIFICATION_VARIABLES } from '../config/notifications';

export const NOTIFICATION_SENDER_ENVIRONMENT = defineFunctionEnvironment(
  'notification-sender',
  NOTIFICATION_VARIABLES,
);

export const readNotificationSenderEnvironment = NOTIFICATION_SENDER_ENVIRONMENT.read;
export const environmentForNotificationSender = NOTIFICATION_SENDER_ENVIRONMENT.environmentFor;
