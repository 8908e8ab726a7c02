import { DeliveryFailure } from '@relay/delivery';

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
const GETTOKEN_PERMANENT = new Map<number, string>([
  [40001, 'the api_secret is wrong for this corp_id (or the app was deleted)'],
  [40013, 'the corp_id is not a valid WeCom corp id'],
  [40091, 'the api_secret is not a valid secret'],
  [41002, 'the corp_id is missing'],
  [41004, 'the api_secret is missing'],
  [60020, "this server's IP address is not in the app's trusted IP list"],
]);

/** message/send answers that no retry can fix. */
const SEND_PERMANENT = new Map<number, string>([
  [81013, 'every recipient (to_user, to_party, to_tag) is invalid'],
  [40056, 'the agent_id is not an app of this corp'],
  [60011, 'the app may not message these recipients (visible range)'],
  [40008, 'the message type is not supported'],
  [44004, 'the message content is empty'],
  [45002, 'the message content is too long'],
  [301002, 'the app has no permission for this operation'],
]);

/**
 * 45009 (api frequency), 45033 (too many concurrent calls) and -1 (busy) are transient; so is any
 * errcode not known to be permanent: retrying is safer than dropping an alert.
 */
export function classifyGettokenError(errcode: number, errmsg: string): DeliveryFailure {
  return classify('gettoken', GETTOKEN_PERMANENT, errcode, errmsg);
}

export function classifyWechatSendError(errcode: number, errmsg: string): DeliveryFailure {
  return classify('message/send', SEND_PERMANENT, errcode, errmsg);
}

function classify(api: string, permanent: Map<number, string>, errcode: number, errmsg: string): DeliveryFailure {
  const reason = `errcode_${errcode}`;
  const message = `WeCom ${api} errcode ${errcode}: ${errmsg}`;
  const why = permanent.get(errcode);
  return why ? DeliveryFailure.permanent(reason, `${message} (${why})`) : DeliveryFailure.transient(reason, message);
}

/** Non-200 answers (WeCom answers errors as 200 with an errcode, so these come from proxies or outages). */
export function classifyWecomHttp(status: number): DeliveryFailure {
  const reason = `http_${status}`;
  const message = `WeCom answered HTTP ${status}`;
  if (status >= 500) return DeliveryFailure.unanswered(reason, message);
  if (status === 408 || status === 429) return DeliveryFailure.transient(reason, message);
  return DeliveryFailure.permanent(reason, message);
}
