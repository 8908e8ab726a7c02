import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_TEMPLATE_SOURCE, TemplateOptions, TemplateSet, TemplateSource } from '@relay/templates';

/**
 * Each channel's default templates: the Go template file in its folder (`<channel>/<channel>.tmpl`,
 * defining `<channel>.default.*`), found the way Alertmanager finds `templates:` files, so a new
 * channel adds its file and nothing else; a channel that renders nothing (webhook) has none.
 * Read once, in name order (the order they are parsed in), by `template render` too: this module
 * loads none of the workers' machinery.
 */
function channelTemplateFiles(): TemplateSource[] {
  return readdirSync(__dirname, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((dir) => dir.name)
    .sort()
    .flatMap((folder) => {
      const file = join(__dirname, folder, `${folder}.tmpl`);
      try {
        return [{ name: `relay-${folder}.tmpl`, text: readFileSync(file, 'utf8') }];
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
    });
}

/** The relay's built-in templates: the common helpers, then each channel's defaults. */
export const BUILTIN_TEMPLATES: readonly TemplateSource[] = [COMMON_TEMPLATE_SOURCE, ...channelTemplateFiles()];

/** A template set with the relay's built-in templates and the given sources after them. */
export function relayTemplates(sources: readonly TemplateSource[] = [], opts: Omit<TemplateOptions, 'builtins'> = {}): TemplateSet {
  return TemplateSet.fromSources(sources, { ...opts, builtins: BUILTIN_TEMPLATES });
}
