/** `asterisk-manager` ships no types; `ami.ts` (its only importer) describes the parts it uses. */
declare module 'asterisk-manager' {
  const AsteriskManager: unknown;
  export default AsteriskManager;
}
