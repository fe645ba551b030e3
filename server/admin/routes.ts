/**
 * POST /api/admin/ivr/reload (admins): reads the IVR menu file again. A valid file applies to
 * calls that start afterwards (200); an invalid one is rejected with the reasons, naming each bad
 * field, and the current menu stays (400 `IVR_MENU_INVALID`).
 * POST /api/admin/telephony/controller `{ running }` (admins): stops or starts the call controller
 * alone, for maintenance; while it is stopped the dialplan sends calls to Asterisk's fallback
 * queue, and on start the controller adopts the calls it finds. 409 `NO_TELEPHONY` without one.
 * Both are audited (`ivr.reload` with its result, `controller.start` / `controller.stop`).
 */
import type { FastifyInstance } from 'fastify';
import type { ControllerSwitch, ControllerSwitched, IvrMenuReloaded } from '../../common/api.ts';
import type { MenuReloadResult } from '../../ivr/menu-file.ts';
import { audit } from '../audit/service.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { AppError } from '../errors.ts';

export class IvrMenuInvalidError extends AppError {
  constructor(errors: string[]) {
    super('IVR_MENU_INVALID', 400, `Tệp menu IVR không hợp lệ, vẫn dùng menu cũ: ${errors.join('; ')}`);
  }
}

export class NoTelephonyError extends AppError {
  constructor() {
    super(
      'NO_TELEPHONY',
      409,
      'Hệ thống đang chạy không có tổng đài, không có bộ điều phối cuộc gọi để bật hay tắt.',
    );
  }
}

/** The call controller alone (`RunningHotline.controller`). */
export interface CallController {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface IvrMenuReloader {
  reload(): Promise<MenuReloadResult>;
}

export async function adminRoutes(
  app: FastifyInstance,
  deps: { db: Db; ivrMenu: IvrMenuReloader; controller?: CallController },
): Promise<void> {
  app.post<{ Body: ControllerSwitch }>(
    '/api/admin/telephony/controller',
    {
      onRequest: requireRole('admin'),
      schema: {
        body: {
          type: 'object',
          required: ['running'],
          additionalProperties: false,
          properties: { running: { type: 'boolean' } },
        },
      },
    },
    async (req): Promise<{ data: ControllerSwitched }> => {
      const { controller } = deps;
      if (!controller) throw new NoTelephonyError();
      if (req.body.running) await controller.start();
      else await controller.stop();
      audit(deps.db, {
        actorId: currentUser(req).id,
        action: req.body.running ? 'controller.start' : 'controller.stop',
        entity: 'controller',
        after: { running: req.body.running },
      });
      req.log.warn({ running: req.body.running }, 'call controller switched by an admin');
      return { data: { running: req.body.running } };
    },
  );

  app.post(
    '/api/admin/ivr/reload',
    { onRequest: requireRole('admin') },
    async (req): Promise<{ data: IvrMenuReloaded }> => {
      const result = await deps.ivrMenu.reload();
      // A refused file is audited too: who tried, and why it was refused.
      audit(deps.db, {
        actorId: currentUser(req).id,
        action: 'ivr.reload',
        entity: 'ivr',
        after: result.ok ? { applied: true } : { applied: false, errors: result.errors },
      });
      if (!result.ok) throw new IvrMenuInvalidError(result.errors);
      return { data: { applied: true } };
    },
  );
}
