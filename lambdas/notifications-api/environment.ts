/** The channels API's environment (lib/control-plane/notifications.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { NOTIFICATION_VARIABLES } from '../config/notifications';

export const NOTIFICATIONS_API_ENVIRONMENT = defineFunctionEnvironment(
  'notifications-api',
  NOTIFICATION_VARIABLES,
);

export const readNotificationsApiEnvironment = NOTIFICATIONS_API_ENVIRONMENT.read;
export const environmentForNotificationsApi = NOTIFICATIONS_API_ENVIRONMENT.environmentFor;
