/**
 * The wallboard's written-request figures per channel: open now, the oldest one nobody has
 * answered yet, and today's first responses within the channel's target. Read only.
 */
import { and, eq, gte, isNull, sql } from 'drizzle-orm';
import type { WrittenChannelFigures, WrittenFiguresView } from '../../common/desk.ts';
import { startOfLocalDay } from '../calls/stats.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { WRITTEN_CHANNELS, writtenRequests } from '../intake/schema.ts';

export function writtenFigures(db: Db, settings: Config['desk'], at: Date): WrittenFiguresView {
  const midnight = startOfLocalDay(at);
  const channels: WrittenChannelFigures[] = WRITTEN_CHANNELS.map((channel) => {
    const targetMinutes = settings.firstResponseMinutes[channel];
    const targetMs = targetMinutes * 60_000;
    const open = db
      .select({ n: sql<number>`count(*)` })
      .from(writtenRequests)
      .where(and(eq(writtenRequests.channel, channel), eq(writtenRequests.status, 'open')))
      .get();
    const oldest = db
      .select({ at: sql<number | null>`min(${writtenRequests.createdAt})` })
      .from(writtenRequests)
      .where(
        and(
          eq(writtenRequests.channel, channel),
          eq(writtenRequests.status, 'open'),
          isNull(writtenRequests.firstResponseAt),
        ),
      )
      .get();
    const answered = db
      .select({
        n: sql<number>`count(*)`,
        within: sql<number>`coalesce(sum(case when ${writtenRequests.firstResponseAt} - ${writtenRequests.createdAt} <= ${targetMs} then 1 else 0 end), 0)`,
      })
      .from(writtenRequests)
      .where(and(eq(writtenRequests.channel, channel), gte(writtenRequests.firstResponseAt, midnight)))
      .get();
    const answeredToday = answered?.n ?? 0;
    const answeredWithinTarget = answered?.within ?? 0;
    const oldestAt = oldest?.at ?? null;
    return {
      channel,
      open: open?.n ?? 0,
      oldestWaitingSeconds:
        oldestAt === null ? null : Math.max(0, Math.floor((at.getTime() - oldestAt) / 1000)),
      answeredToday,
      answeredWithinTarget,
      withinTargetRate: answeredToday > 0 ? answeredWithinTarget / answeredToday : null,
      targetMinutes,
    };
  });
  return { at: at.toISOString(), channels };
}
