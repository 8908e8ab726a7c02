import { DeliveryFailure } from '@relay/delivery';

/** What nodemailer puts on its errors (docs/channel-apis.md, Email). */
export interface SmtpError {
  name?: string;
  message?: string;
  /** EAUTH, EENVELOPE, EMESSAGE, ECONNECTION, ESOCKET, ETIMEDOUT, ETLS, EDNS, EABORT … */
  code?: string;
  /** The system error behind it: ECONNREFUSED, CERT_HAS_EXPIRED … */
  originalCode?: string;
  /** The server's reply line, e.g. `550 5.1.1 <x@example.com>: no such user`. */
  response?: string;
  responseCode?: number;
  command?: string;
  /** EENVELOPE when every recipient was refused: who they were. */
  rejected?: string[];
}

/** Node's certificate verification failures: the relay's certificate will not verify on the next try either. */
const CERTIFICATE_CODES = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;

/**
 * Classifies a failed send. The server's reply decides when there is one: 4xx is "try again
 * later" (including 421, the server closing on us), 5xx is final (550 bad mailbox, 535 bad
 * credentials). Without a reply, network trouble and timeouts are transient; a relay that will
 * not do the TLS the target requires, or whose certificate does not verify, is permanent.
 * Messages are scrubbed of every form of the target's secrets.
 */
export function classifySmtpError(error: unknown, smarthost: string, secrets: string[]): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const e = (error ?? {}) as SmtpError;
  const reply = e.response ? redact(e.response.trim(), secrets) : undefined;
  const code = e.responseCode;
  const say = (text: string) => redact(text, secrets);

  if (e.code === 'EABORT' || e.name === 'AbortError' || e.name === 'TimeoutError') {
    return DeliveryFailure.unanswered('timeout', `${smarthost} did not finish the send in time`);
  }
  if (e.code === 'ETLS' && code) {
    return DeliveryFailure.permanent('tls_unavailable', `TLS is required (require_tls) but ${smarthost} refused STARTTLS: ${reply}`);
  }
  const systemCode = e.originalCode ?? '';
  if (CERTIFICATE_CODES.test(systemCode)) {
    return DeliveryFailure.permanent('tls_certificate', `the TLS certificate of ${smarthost} did not verify (${systemCode}): ${say(e.message ?? '')}`);
  }
  if (/^ERR_SSL_/.test(systemCode) || /wrong version number/i.test(e.message ?? '')) {
    return DeliveryFailure.permanent('tls_failed', `TLS with ${smarthost} failed (is it implicit TLS or STARTTLS on this port?): ${say(e.message ?? '')}`);
  }

  if (code) {
    const what = describeCommand(e.command);
    const whom = e.rejected?.length ? ` for ${e.rejected.join(', ')}` : '';
    const message = `${smarthost} answered ${what}${whom}: ${reply}`;
    if (code >= 400 && code < 500) return DeliveryFailure.transient(`smtp_${code}`, message);
    if (code >= 500) return DeliveryFailure.permanent(`smtp_${code}`, message);
  }

  switch (e.code) {
    case 'EAUTH':
      // No reply: nodemailer refused before asking (missing credentials, no common mechanism).
      return DeliveryFailure.permanent('auth_config', `cannot authenticate to ${smarthost}: ${say(e.message ?? '')}`);
    case 'EENVELOPE':
      return DeliveryFailure.permanent('invalid_address', say(e.message ?? 'invalid envelope'));
    case 'EMESSAGE':
      return DeliveryFailure.permanent('message_rejected', say(e.message ?? 'message refused'));
    case 'ETIMEDOUT':
      return DeliveryFailure.unanswered('timeout', `${smarthost} timed out: ${say(e.message ?? '')}`);
    case 'ETLS':
      return DeliveryFailure.transient('tls_handshake', `TLS with ${smarthost} broke off: ${say(e.message ?? '')}`);
  }
  const network = (systemCode || e.code || '').toLowerCase();
  if (network) return DeliveryFailure.unanswered(`network_${network}`, `cannot reach ${smarthost}: ${say(e.message ?? network)}`);
  return DeliveryFailure.transient('error', say(e.message ?? String(error)));
}

function describeCommand(command: string | undefined): string {
  if (!command) return 'with an error';
  if (command.startsWith('AUTH')) return `${command.split(' ').slice(0, 2).join(' ')}`;
  if (command === 'CONN') return 'and closed the connection';
  return command;
}

/** Replaces each secret (longest first, so a secret inside another's encoding goes too) with `***`. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('***');
  }
  return out;
}
