import { describe, expect, it } from 'vitest';
import { sentInvites } from '../../bench/calls-invites.ts';

/** A pcap file as Asterisk's SIP logger writes one: Ethernet, IPv4 and UDP headers before each message. */
function pcap(records: { at: number; message: string }[], cutLastBy = 0): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const parts = [header];
  for (const { at, message } of records) {
    const data = Buffer.concat([Buffer.alloc(14 + 20 + 8), Buffer.from(message, 'latin1')]);
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Math.floor(at / 1000), 0);
    record.writeUInt32LE(Math.round((at % 1000) * 1000), 4);
    record.writeUInt32LE(data.length, 8);
    record.writeUInt32LE(data.length, 12);
    parts.push(record, data);
  }
  const file = Buffer.concat(parts);
  return file.subarray(0, file.length - cutLastBy);
}

const invite = (via: string, from: string, to: string) =>
  [
    'INVITE sip:7qmqdud7@127.0.0.1:49890;transport=ws SIP/2.0',
    `Via: SIP/2.0/${via} 127.0.0.1:46317;rport;branch=z9hG4bKPjf2`,
    `From: <sip:${from}@vm>;tag=9172c4f0`,
    `To: ${to}`,
    'CSeq: 31367 INVITE',
    'Content-Length:  0',
    '',
    '',
  ].join('\r\n');

describe("INVITEs sent to operators, from Asterisk's SIP logger pcap", () => {
  const toOperator = { at: 1_796_547_217_667.25, message: invite('WS', '09901', '<sip:7qmqdud7@127.0.0.1>') };

  it('reads when each initial INVITE over WebSocket was sent and for which caller', () => {
    const file = pcap([
      toOperator,
      // The caller's own INVITE, over UDP from the trunk.
      { at: 1_796_547_211_000, message: invite('UDP', '09901', '<sip:1022@vm>') },
      // A re-INVITE within the dialog.
      { at: 1_796_547_219_000, message: invite('WS', '09901', '<sip:7qmqdud7@127.0.0.1>;tag=abc') },
      // An answer to the INVITE.
      { at: 1_796_547_217_700, message: 'SIP/2.0 180 Ringing\r\nCSeq: 31367 INVITE\r\n\r\n' },
      { at: 1_796_547_218_000.5, message: invite('WS', '09902', '<sip:6nbjao10@127.0.0.1>') },
    ]);
    expect(sentInvites(file)).toEqual([
      { at: 1_796_547_217_667.25, callerNumber: '09901' },
      { at: 1_796_547_218_000.5, callerNumber: '09902' },
    ]);
  });

  it('stops at a record cut short, and reads nothing from an empty file', () => {
    const file = pcap(
      [toOperator, { at: 1_796_547_218_000, message: invite('WS', '09902', '<sip:x@y>') }],
      10,
    );
    expect(sentInvites(file).map((i) => i.callerNumber)).toEqual(['09901']);
    expect(sentInvites(Buffer.alloc(0))).toEqual([]);
  });

  it('refuses a file that is not pcap', () => {
    expect(() => sentInvites(Buffer.from('INVITE sip:x@y SIP/2.0\r\n\r\n'.padEnd(40)))).toThrow(
      'not a pcap file',
    );
  });
});
