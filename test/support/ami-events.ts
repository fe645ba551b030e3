import { connect } from 'node:net';

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
    let buffered = '';
    let loggedIn = false;
    const log = { names, close: () => socket.destroy() };
    socket.setEncoding('utf8');
    socket.once('error', reject);
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const messages = buffered.split('\r\n\r\n');
      buffered = messages.pop() ?? '';
      for (const message of messages) {
        const event = /^Event: (.+)$/m.exec(message)?.[1];
        if (event) names.push(event.trim());
        if (!loggedIn && /^Response: Success/m.test(message)) {
          loggedIn = true;
          resolve(log);
        } else if (!loggedIn && /^Response: Error/m.test(message)) {
          socket.destroy();
          reject(new Error(`AMI login refused: ${message}`));
        }
      }
    });
    socket.write(
      `Action: Login\r\nUsername: ${ami.username}\r\nSecret: ${ami.password}\r\nEvents: on\r\n\r\n`,
    );
  });
}
