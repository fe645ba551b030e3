import { connect } from 'node:net';
import { amiReader } from './ami-text.ts';

export interface AmiEventLog {
  /** The `Event:` names received so far, in order. */
  names: string[];
  close(): void;
}

/** Logs in to AMI as the given user (events on) and records the names of the events it is sent. */
export function listenToAmi(ami: {
  host: string;
  port: number;
  username: string;
  password: string;
}): Promise<AmiEventLog> {
  return new Promise((resolve, reject) => {
    const socket = connect(ami.port, ami.host);
    const names: string[] = [];
    let loggedIn = false;
    const log = { names, close: () => socket.destroy() };
    socket.setEncoding('utf8');
    socket.once('error', reject);
    socket.on(
      'data',
      amiReader((fields, text) => {
        if (fields.event) names.push(fields.event.trim());
        if (loggedIn) return;
        if (fields.response === 'Success') {
          loggedIn = true;
          resolve(log);
        } else if (fields.response === 'Error') {
          socket.destroy();
          reject(new Error(`AMI login refused: ${text}`));
        }
      }),
    );
    socket.write(
      `Action: Login\r\nUsername: ${ami.username}\r\nSecret: ${ami.password}\r\nEvents: on\r\n\r\n`,
    );
  });
}
