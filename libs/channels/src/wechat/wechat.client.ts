import { DeliveryFailure, jsonAnswer, PlatformAnswer, PlatformHttp, readSecretFile, statusFailure } from '@relay/delivery';
import { classifyGettokenError } from './wechat.errors';
import type { WechatMessage } from './wechat.message';

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
