import { DeliveryFailure } from '@relay/delivery';
import type { WechatClient, WechatCredentials, WechatSendAnswer } from './wechat.client';
import { classifyWechatSendError, TOKEN_REJECTED, tokenRejectionReason } from './wechat.errors';
import type { WechatMessage } from './wechat.message';
import type { WechatTokenStore } from './wechat.token-store';

/** Recipients WeCom refused while delivering to the others. */
export interface InvalidRecipients {
  users: string[];
  parties: string[];
  tags: string[];
}

export interface WechatDelivery {
  msgid?: string;
  /** Present only when WeCom refused some recipients. */
  invalid?: InvalidRecipients;
}

/**
 * One app message: token from the shared store, message/send, and on a token refusal
 * (42001/40014/40001) one new token and one resend. A second refusal is left to the job's
 * retry with backoff rather than looping here.
 */
export class WechatSender {
  constructor(
    private readonly client: WechatClient,
    private readonly tokens: WechatTokenStore,
  ) {}

  async send(message: WechatMessage, credentials: WechatCredentials): Promise<WechatDelivery> {
    const token = await this.tokens.token(credentials);
    let answer = await this.client.postMessage(credentials.apiUrl, token, message);
    if (TOKEN_REJECTED.has(answer.errcode)) {
      const fresh = await this.tokens.replace(credentials, token, tokenRejectionReason(answer.errcode));
      answer = await this.client.postMessage(credentials.apiUrl, fresh, message);
      if (TOKEN_REJECTED.has(answer.errcode)) {
        throw DeliveryFailure.transient(`errcode_${answer.errcode}`, `WeCom refused a freshly fetched access_token too (errcode ${answer.errcode}: ${answer.errmsg})`);
      }
    }
    if (answer.errcode !== 0) throw classifyWechatSendError(answer.errcode, answer.errmsg);
    const invalid = invalidRecipientsOf(answer);
    return { msgid: answer.msgid, ...(invalid && { invalid }) };
  }
}

function invalidRecipientsOf(answer: WechatSendAnswer): InvalidRecipients | undefined {
  const split = (list?: string) => (list ?? '').split('|').filter(Boolean);
  const invalid = { users: split(answer.invaliduser), parties: split(answer.invalidparty), tags: split(answer.invalidtag) };
  return invalid.users.length || invalid.parties.length || invalid.tags.length ? invalid : undefined;
}
