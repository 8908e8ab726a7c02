import { ChannelDefinition, CHAT_QUEUE_SETTINGS, DeliveryFailure, errcodeFailure, ErrcodeTable, jsonAnswer, PlatformAnswer, PlatformHttp, readSecretFile, statusFailure } from '@relay/delivery/platform';
import { WechatConfig, wechatCredentialsIssue, wechatWarnings } from './wechat.config';
import { buildWechatDigest, buildWechatMessage, WechatMessage } from './wechat.message';
import { WechatTokenStore } from './wechat.token-store';

export const WECHAT_CHANNEL: ChannelDefinition<WechatConfig, WechatMessage> = {
  // WeCom silently drops messages beyond 30/minute and 1000/hour to one member. 15 a minute keeps a
  // target under 1000/hour sustained and leaves half the minute's allowance to other targets
  // reaching the same people. WeCom answers no "too fast" here, so the penalty rarely applies.
  config: { configClass: WechatConfig, sendResolvedDefault: false, rateLimitDefault: { max: 15, per: '1m', penalty: '1m' }, checkTarget: wechatCredentialsIssue, warnTarget: wechatWarnings },
  queue: CHAT_QUEUE_SETTINGS,
  build: (notification, target, { templates, note }) => buildWechatMessage(notification, target.config, templates, note),
  buildDigest: (notifications, target, { templates, note }) => buildWechatDigest(notifications, target.config, templates, note),
  withDefaultTemplates: (config) => ({ ...config, message: new WechatConfig().message }),
  createSender({ redis, prefix, metrics, requestTimeoutMs, connections }) {
    const client = new WechatClient(requestTimeoutMs, connections);
    // The access_token is cached in Redis and shared by every replica (wechat.token-store.ts).
    const tokens = new WechatTokenStore(redis, prefix, (credentials) => client.fetchToken(credentials), {
      fetchTimeoutMs: requestTimeoutMs,
      onFetch: (reason, outcome) => metrics.wecomTokenFetches.inc({ reason, outcome }),
    });
    const sender = new WechatSender(client, tokens);
    return {
      async post(message, target, { relay, reportRefusedRecipients }) {
        const delivery = await sender.send(message, credentialsOf(target.config, relay.global, relay.baseDir));
        if (delivery.invalid) {
          const { users, parties, tags } = delivery.invalid;
          const recipients = [...users.map((u) => `user:${u}`), ...parties.map((p) => `party:${p}`), ...tags.map((t) => `tag:${t}`)];
          reportRefusedRecipients(recipients, 'WeCom delivered the message but refused some recipients');
        }
        return { ...delivery };
      },
      close: () => client.close(),
    };
  },
};

/** Whose access_token: one WeCom app of one corp, at one API location. */
export interface WechatCredentials {
  apiUrl: string;
  corpId: string;
  apiSecret: string;
}

export interface AccessToken {
  token: string;
  expiresInS: number;
}

/** WeCom's answer to message/send (errors are HTTP 200 with an errcode, so this is every answer). */
export interface WechatSendAnswer {
  errcode: number;
  errmsg: string;
  /** Recipients WeCom refused while delivering to the rest: `a|b`. */
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  msgid?: string;
}

/** `{api_url}{method}`, whether or not api_url ends in a slash. */
export function wecomApi(apiUrl: string, method: string): URL {
  return new URL(method, apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
}

/**
 * The two WeCom app-message calls, over HTTP and nothing more: caching, locking and the resend
 * on a rejected token live in WechatTokenStore and WechatSender. URLs carry the secret or the
 * token, so no error raised here mentions one.
 */
export class WechatClient {
  private readonly http: PlatformHttp;

  constructor(timeoutMs: number, connections?: number) {
    this.http = new PlatformHttp('WeCom', { timeoutMs, connections });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** gettoken; a refusal is classified (40001/40013/60020 permanent, 45009/45033/-1 transient). */
  async fetchToken(credentials: WechatCredentials): Promise<AccessToken> {
    const url = wecomApi(credentials.apiUrl, 'gettoken');
    url.searchParams.set('corpid', credentials.corpId);
    url.searchParams.set('corpsecret', credentials.apiSecret);
    const answer = this.read(await this.http.get(url));
    if (answer.errcode !== 0 || typeof answer.access_token !== 'string' || !answer.access_token) {
      throw classifyGettokenError(Number(answer.errcode ?? -1), String(answer.errmsg ?? 'no access_token in the answer'));
    }
    const expiresInS = Number(answer.expires_in);
    return { token: answer.access_token, expiresInS: Number.isFinite(expiresInS) && expiresInS > 0 ? expiresInS : 7200 };
  }

  /** message/send with the given token; returns WeCom's answer whatever its errcode. */
  async postMessage(apiUrl: string, token: string, message: WechatMessage): Promise<WechatSendAnswer> {
    const url = wecomApi(apiUrl, 'message/send');
    url.searchParams.set('access_token', token);
    const answer = this.read(await this.http.postJson(url, message));
    return { ...answer, errcode: Number(answer.errcode ?? -1), errmsg: String(answer.errmsg ?? '') };
  }

  /** WeCom answers errors as 200 with an errcode, so a non-2xx comes from a proxy or an outage (a 429 pauses for the target's penalty). */
  private read(answer: PlatformAnswer): any {
    const failure = statusFailure('WeCom', answer, undefined);
    if (failure) throw failure;
    return jsonAnswer('WeCom', answer);
  }
}

/**
 * The target's own corp_id/api_url, else `global.wechat_api_*`; its own api_secret or
 * api_secret_file, else the global pair (as Alertmanager does). The file is read at each send,
 * relative to the config file, so a rotated secret applies without a restart.
 */
export function credentialsOf(
  config: { api_url?: string; corp_id?: string; api_secret?: string; api_secret_file?: string },
  global: { wechat_api_url: string; wechat_api_corp_id?: string; wechat_api_secret?: string; wechat_api_secret_file?: string },
  baseDir: string,
): WechatCredentials {
  const corpId = config.corp_id ?? global.wechat_api_corp_id;
  const own = config.api_secret || config.api_secret_file;
  const [secret, file, field] = own ? [config.api_secret, config.api_secret_file, 'api_secret_file'] : [global.wechat_api_secret, global.wechat_api_secret_file, 'global.wechat_api_secret_file'];
  const apiSecret = secret || (file ? readSecretFile(file, baseDir, field) : undefined);
  // The config check refuses such a target at start-up; this only guards a config built in code, or an empty file.
  if (!corpId || !apiSecret) throw DeliveryFailure.permanent('config', 'corp_id and api_secret must be set on the target or in global');
  return { apiUrl: config.api_url ?? global.wechat_api_url, corpId, apiSecret };
}

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
