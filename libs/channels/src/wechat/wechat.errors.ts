import { DeliveryFailure, ErrcodeTable, errcodeFailure } from '@relay/delivery';

/**
 * `message/send` answers meaning "this access_token is no good" rather than "this message is no good":
 * 42001 expired, 40014 invalid (WeCom also answers it for expired tokens), 40001 invalid credential.
 * The sender drops the token, fetches a new one and resends once.
 */
export const TOKEN_REJECTED = new Set([42001, 40014, 40001]);

/** Why a token was fetched, for the token-fetch metric. */
export type TokenFetchReason = 'missing' | 'expired' | 'rejected';

export function tokenRejectionReason(errcode: number): TokenFetchReason {
  return errcode === 42001 ? 'expired' : 'rejected';
}

/** gettoken answers that no retry can fix: the config (or WeCom's admin console) must change. */
const GETTOKEN_ERRCODES: ErrcodeTable = {
  throttled: new Set(),
  permanent: new Map<number, string>([
  [40001, 'the api_secret is wrong for this corp_id (or the app was deleted)'],
  [40013, 'the corp_id is not a valid WeCom corp id'],
  [40091, 'the api_secret is not a valid secret'],
  [41002, 'the corp_id is missing'],
  [41004, 'the api_secret is missing'],
  [60020, "this server's IP address is not in the app's trusted IP list"],
  ]),
};

/**
 * message/send answers that no retry can fix. 45009 is not a pause here: WeCom answers it per app
 * call rate, and the token store and sender retry it as any transient answer.
 */
const SEND_ERRCODES: ErrcodeTable = {
  throttled: new Set(),
  permanent: new Map<number, string>([
  [81013, 'every recipient (to_user, to_party, to_tag) is invalid'],
  [40056, 'the agent_id is not an app of this corp'],
  [60011, 'the app may not message these recipients (visible range)'],
  [40008, 'the message type is not supported'],
  [44004, 'the message content is empty'],
  [45002, 'the message content is too long'],
  [301002, 'the app has no permission for this operation'],
  ]),
};

/**
 * 45009 (api frequency), 45033 (too many concurrent calls) and -1 (busy) are transient; so is any
 * errcode not known to be permanent: retrying is safer than dropping an alert.
 */
export function classifyGettokenError(errcode: number, errmsg: string): DeliveryFailure {
  return errcodeFailure('WeCom gettoken', GETTOKEN_ERRCODES, errcode, errmsg, 0);
}

export function classifyWechatSendError(errcode: number, errmsg: string): DeliveryFailure {
  return errcodeFailure('WeCom message/send', SEND_ERRCODES, errcode, errmsg, 0);
}
