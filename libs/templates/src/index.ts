/**
 * @relay/templates — Go text/template semantics with Alertmanager's data model and functions.
 * Plain TypeScript, no Nest.
 */
export { TemplateSet, TemplateFileError, TemplateParseError, TemplateExecError, expandGlob } from './template-set';
export type { TemplateOptions, TemplateDialect } from './template-set';
export { TEMPLATE_DIALECTS } from './template-set';
export { DingtalkToolData } from './prometheus-webhook-dingtalk/data';
export { DINGTALK_TOOL_DEFAULT_TMPL } from './prometheus-webhook-dingtalk/default-template';
export { templateData, alertList, KV, Alert, Data, Pair } from './alertmanager/data';
export type { TemplateData } from './alertmanager/data';
export { cutToFit, renderWithinBytes, truncateUtf8, utf8ByteLength, defaultMoreLine } from './truncate';
export type { FitOptions, MoreLine, OmittedAlerts } from './truncate';
export { COMMON_TEMPLATE_SOURCE } from './defaults';
export type { TemplateSource } from './defaults';
export { GoTime, GoDuration, loadLocation } from './engine/gotime';
export { digestPayload, packDigest } from './digest';
export type { DigestPart } from './digest';
export { packDigestByDestination } from './digest-destinations';
export type { RoutedDigestPart } from './digest-destinations';
