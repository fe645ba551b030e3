/**
 * How the scheduled summaries leave the hotline. `smtp` hands them to the province's relay
 * (nodemailer, one connection per mail); `outbox` (development) sends nothing: they are only
 * listed on the admin page, like the SMS outbox.
 */
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  attachment: { fileName: string; content: Buffer; contentType: string };
}

export interface MailTransport {
  readonly driver: 'outbox' | 'smtp';
  /** Resolves with the relay's Message-ID once it accepted the mail. */
  send(mail: OutgoingMail, mailId: number): Promise<{ messageId: string }>;
}

export function createOutboxTransport(): MailTransport {
  return {
    driver: 'outbox',
    async send(_mail, mailId) {
      return { messageId: `outbox:${mailId}` };
    },
  };
}

/**
 * `smtp://host:25` (STARTTLS when the relay offers it) or `smtps://user:pass@host:465` (TLS from
 * the start); credentials percent-encoded in the URL.
 */
export function createSmtpTransport(opts: { url: string; timeoutMs: number }): MailTransport {
  const url = new URL(opts.url);
  const secure = url.protocol === 'smtps:';
  const options = {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 25,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  };
  return {
    driver: 'smtp',
    async send(mail) {
      const transporter = nodemailer.createTransport(options);
      try {
        const info = await transporter.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          attachments: [
            {
              filename: mail.attachment.fileName,
              content: mail.attachment.content,
              contentType: mail.attachment.contentType,
            },
          ],
        });
        return { messageId: info.messageId };
      } finally {
        transporter.close();
      }
    },
  };
}

/** The transport the configuration names. */
export function createMailTransport(config: {
  driver: 'outbox' | 'smtp';
  smtpUrl: string | null;
  timeoutMs: number;
}): MailTransport {
  if (config.driver === 'outbox') return createOutboxTransport();
  if (!config.smtpUrl) throw new Error('HOTLINE_SMTP_URL is required with HOTLINE_MAIL_DRIVER=smtp');
  return createSmtpTransport({ url: config.smtpUrl, timeoutMs: config.timeoutMs });
}
