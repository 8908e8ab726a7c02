/**
 * The relay's shared template helpers (`__relay.*`), which every channel's defaults build on.
 * Each channel's own defaults live in its folder in @relay/channels. Go text/template source in a
 * .ts module, so it survives `tsc` without an asset step.
 */
import { COMMON_TMPL } from './common.tmpl';

export interface TemplateSource {
  /** What parse errors name. */
  name: string;
  text: string;
}

export const COMMON_TEMPLATE_SOURCE: TemplateSource = { name: 'relay-common.tmpl', text: COMMON_TMPL };
