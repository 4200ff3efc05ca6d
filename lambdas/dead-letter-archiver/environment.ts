/** The dead-letter archiver's environment (lib/data-plane/dead-letter-archiver.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { string } from '../config/schema';

export const DEAD_LETTER_ARCHIVER_ENVIRONMENT = defineFunctionEnvironment('dead-letter-archiver', {
  /** Dead letters are archived under its dead-letters/ prefix. */
  EVENT_STORE_BUCKET: string(),
});

export const readDeadLetterArchiverEnvironment = DEAD_LETTER_ARCHIVER_ENVIRONMENT.read;
export const environmentForDeadLetterArchiver = DEAD_LETTER_ARCHIVER_ENVIRONMENT.environmentFor;
