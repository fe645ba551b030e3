/** An AMI message's fields (`Key: value` lines), keys in lower case. */
export type AmiFields = Record<string, string>;

/**
 * Reads AMI text as it arrives: each message ends with a blank line. Calls `onMessage` with the
 * fields of every complete message and its text; lines without `: ` (the greeting) are skipped.
 */
export function amiReader(onMessage: (fields: AmiFields, text: string) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
      const text = buffer.slice(0, end);
      buffer = buffer.slice(end + 4);
      const fields: AmiFields = {};
      for (const line of text.split('\r\n')) {
        const i = line.indexOf(': ');
        if (i > 0) fields[line.slice(0, i).toLowerCase()] = line.slice(i + 2);
      }
      onMessage(fields, text);
    }
  };
}
