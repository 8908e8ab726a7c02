/**
 * Alertmanager writes the receiver name through regexp.QuoteMeta (`ops.team` arrives as
 * `ops\.team`); this undoes exactly that escaping.
 */
export function unquoteMeta(name: string): string {
  return name.replace(/\\([\\.+*?()|[\]{}^$])/g, '$1');
}
