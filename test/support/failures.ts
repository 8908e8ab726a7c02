import { ConfigError } from '@relay/config';
import { parseConfig } from '@relay/channels';
import { DeliveryFailure } from '@relay/delivery';

/** The DeliveryFailure a send rejected with; anything else (or success) fails the test. */
export async function failureOf(promise: Promise<unknown>): Promise<DeliveryFailure> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof DeliveryFailure) return e;
    throw e;
  }
  throw new Error('expected a DeliveryFailure, but the call succeeded');
}

/** Every line of the ConfigError a config text is refused with; an accepted config fails the test. */
export function configErrorsOf(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(yaml, { file: 'relay.yml', env });
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  throw new Error('config was accepted');
}
